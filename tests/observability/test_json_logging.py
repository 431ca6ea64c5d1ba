import asyncio
import io
import json
import logging


from tag.logs import setup_logging
from tag.observability.logging import bound_request_id, configure, request_id


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_request_id_and_extras(restore_root_logger):
    stream = io.StringIO()
    configure("INFO", stream=stream, component="worker")
    log = logging.getLogger("tag.test")
    log.info("before")
    with bound_request_id("6f1c0b7e-0000-4000-8000-000000000001"):
        log.info("generating %s", "rain", extra={"engine": "synth"})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("failed")
    log.debug("dropped below INFO")
    first, second, third = _lines(stream)
    assert "request_id" not in first and first["message"] == "before" and first["component"] == "worker"
    assert second["request_id"] == "6f1c0b7e-0000-4000-8000-000000000001"
    assert second["message"] == "generating rain" and second["engine"] == "synth" and second["level"] == "INFO"
    assert third["level"] == "ERROR" and "RuntimeError: boom" in third["exception"]
    assert request_id.get() is None


async def test_request_id_follows_tasks_and_threads(restore_root_logger):
    stream = io.StringIO()
    configure("INFO", stream=stream, json_lines=True)
    log = logging.getLogger("tag.test")

    async def handle(rid: str) -> None:
        with bound_request_id(rid):
            await asyncio.sleep(0)  # interleave the two handlers
            await asyncio.to_thread(log.info, "in thread")
            log.info("in task")

    await asyncio.gather(handle("a"), handle("b"))
    by_id: dict[str, list[str]] = {}
    for line in _lines(stream):
        by_id.setdefault(line["request_id"], []).append(line["message"])
    assert by_id == {"a": ["in thread", "in task"], "b": ["in thread", "in task"]}


def test_terminal_lines_are_plain_text_with_a_short_id(restore_root_logger):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    configure("INFO", stream=stream)
    with bound_request_id("0123456789abcdef"):
        logging.getLogger("tag.test").warning("slow")
    line = stream.getvalue().strip()
    assert line.endswith("WARNING tag.test [01234567]: slow")


def test_setup_logging_writes_json_when_stderr_is_not_a_terminal(restore_root_logger, capsys):
    setup_logging("WARNING")
    with bound_request_id("r-1"):
        logging.getLogger("tag.test").warning("hello")
        logging.getLogger("aio_pika").info("library chatter")
    err = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["message"] for line in err] == ["hello"]
    assert json.loads(err[0])["request_id"] == "r-1"
