"""The ``tag`` command line (also ``python -m tag``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path

from tag import __version__
from tag.config import MEMORY_URL, Settings, SettingsError, load_settings, redact_url
from tag.logs import setup_logging

log = logging.getLogger("tag")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PARITY_ENGINE = "make-an-audio-parity"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tag", description="TAG: text-to-audio generation.")
    parser.add_argument("--version", action="version", version=f"tag {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = commands.add_parser("generate", help="generate a sound locally (no broker) and write it to a file")
    gen.add_argument("prompt", help='what to hear, e.g. "rain on a tin roof, distant thunder"')
    gen.add_argument("--duration", "-d", type=float, default=5.0, help="seconds (default 5)")
    gen.add_argument("--out", "-o", type=Path, help="output file (default: from the prompt, in the current folder)")
    gen.add_argument("--engine", "-e", help="engine name, or auto (default: TAG_ENGINE)")
    gen.add_argument("--candidates", "-n", type=int, help="candidates to draw; the best is kept")
    gen.add_argument("--seed", type=int, help="random seed for a reproducible sound")
    gen.add_argument("--steps", type=int, help="sampler steps")
    gen.add_argument("--guidance", type=float, help="classifier-free guidance scale")
    gen.add_argument("--format", "-f", choices=["wav", "ogg", "mp3"], help="default: from --out, else wav")
    gen.add_argument("--stereo", action="store_true", help="stereo output where the engine supports it")
    gen.add_argument(
        "--parity",
        action="store_true",
        help="Make-An-Audio with the reference sampler exactly (DDIM 100 steps, its noise), for comparison",
    )

    commands.add_parser("worker", help="run a GeneratorService worker on the broker")
    commands.add_parser("bot", help="run the Telegram bot")
    serve = commands.add_parser("serve", help="run the web page and HTTP API")
    serve.add_argument("--host", help="default: TAG_WEB_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: TAG_WEB_PORT or 8000")
    run = commands.add_parser("run", help="everything in one process: web, worker, and the bot if a token is set")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument(
        "--workers", type=int, default=0, metavar="N",
        help="run N separate worker processes, restarted when they crash (needs an amqp:// TAG_BROKER_URL)",
    )

    models = commands.add_parser("models", help="list engines and download their weights")
    models_cmd = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    models_cmd.add_parser("list", help="engines, whether their weights are present, and where")
    download = models_cmd.add_parser("download", help="download an engine's weights into TAG_MODEL_DIR")
    download.add_argument("name")

    schema = commands.add_parser("schema", help="write the queue messages' JSON Schemas")
    schema.add_argument("--out", type=Path, default=Path("docs/schemas"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    setup_logging(settings.log_level)
    handler = _COMMANDS[args.command]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130


# --- generate --------------------------------------------------------------


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from tag import audio
    from tag.engines import EngineError, create_engine, load_plugins
    from tag.messages import LimitError, check_duration, check_prompt

    try:
        prompt = check_prompt(args.prompt)
        duration = check_duration(args.duration, settings.max_duration)
    except LimitError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out else "wav")
    if fmt not in audio.CONTENT_TYPES:
        print(f"tag: unknown output format {fmt!r}; use --format wav, ogg or mp3", file=sys.stderr)
        return EXIT_USAGE
    out = args.out or Path(_file_name(prompt) + "." + fmt)

    load_plugins(settings.engine_plugins)
    started = time.perf_counter()
    try:
        name = args.engine or settings.engine
        if args.parity:
            if name not in ("auto", "make-an-audio", PARITY_ENGINE):
                print(f"tag: --parity is for the make-an-audio engine, not {name!r}", file=sys.stderr)
                return EXIT_USAGE
            name = PARITY_ENGINE
        engine = create_engine(name, settings)
        log.info("engine %s loaded in %.1f s", engine.name, time.perf_counter() - started)
        with _Progress() as progress:
            result = engine.generate(
                prompt,
                duration,
                seed=args.seed,
                candidates=args.candidates,
                steps=args.steps,
                guidance=args.guidance,
                stereo=args.stereo,
                progress=progress,
            )
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(audio.encode(result.samples, result.sample_rate, fmt))
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    print(
        f"{out}: {result.duration:.2f} s, {result.sample_rate} Hz, {result.channels} ch, "
        f"engine {result.engine}, {time.perf_counter() - started:.1f} s"
    )
    return EXIT_OK


def _file_name(prompt: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in prompt).split()
    return "_".join(words[:6]).lower() or "sound"


class _Progress:
    """A progress bar on a terminal, a few plain log lines otherwise."""

    def __enter__(self) -> "_Progress":
        self._bar = None
        self._logged = -1
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=100, unit="%", bar_format="{desc:<9} {bar} {n:3.0f}% {elapsed}", leave=False)
        return self

    def __call__(self, stage: str, percent: float) -> None:
        if self._bar is not None:
            self._bar.set_description_str(stage)
            self._bar.n = percent
            self._bar.refresh()
        elif int(percent) // 25 > self._logged or stage == "done":
            self._logged = int(percent) // 25
            log.info("%s %3.0f%%", stage, percent)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


# --- services ----------------------------------------------------------------


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from tag.worker import run_worker

    return run_worker(settings)


def _bot(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_token is None:
        print("tag: TAG_TELEGRAM_TOKEN is not set; get a token from @BotFather", file=sys.stderr)
        return EXIT_USAGE
    from tag.bot import run_bot

    return run_bot(settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from tag.web import run_web

    return run_web(settings, args.host or settings.web_host, args.port if args.port is not None else settings.web_port)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(
        _run_all(settings, args.host or settings.web_host, args.port if args.port is not None else settings.web_port, workers=args.workers)
    )


async def _run_all(settings: Settings, host: str, port: int, workers: int = 0) -> int:
    from tag.broker import create_broker
    from tag.web import serve_web
    from tag.worker import serve_worker

    url = settings.broker(default=MEMORY_URL)
    if workers and url.startswith(MEMORY_URL):
        log.error("--workers needs TAG_BROKER_URL set to an amqp:// broker: worker processes cannot share memory://")
        return EXIT_USAGE
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    broker = create_broker(url)
    log.info("broker %s", redact_url(url))
    async with broker:
        if workers:
            from tag.supervisor import Supervisor

            # Separate `tag worker` processes, restarted with back-off (tag.supervisor).
            supervisor = Supervisor(workers, metrics_port=settings.metrics_port, grace=settings.worker_grace + 5)
            worker = supervisor.run(stop)
        else:
            worker = serve_worker(settings, broker, stop)
        services = [worker, serve_web(settings, broker, stop, host, port)]
        if settings.telegram_token is not None:
            from tag.bot import serve_bot

            services.append(serve_bot(settings, broker, stop))
        else:
            log.info("TAG_TELEGRAM_TOKEN not set: running without the Telegram bot")
        tasks = [asyncio.create_task(s) for s in services]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        failed = [t.exception() for t in done if t.exception() is not None]
        for exc in failed:
            log.error("service failed: %s", exc)
    return EXIT_FAILED if failed else EXIT_OK


# --- models --------------------------------------------------------------------


def _models(args: argparse.Namespace, settings: Settings) -> int:
    from tag.engines import EngineError, available, get_spec, load_plugins, resolve_name

    load_plugins(settings.engine_plugins)
    if args.models_command == "list":
        try:
            auto = resolve_name("auto", settings)
        except EngineError:
            auto = None
        rows = [("engine", "ready", "auto", "rate", "max s", "on disk")]
        for spec in available():
            size = spec.weights_size(settings)
            rows.append((
                spec.name,
                "yes" if spec.is_available(settings) else "no",
                "*" if spec.name == auto else "",
                f"{spec.sample_rate} Hz" if spec.sample_rate else "-",
                f"{spec.max_duration:g}",
                "-" if size is None else _human_size(size),
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        print()
        for spec in available():
            print(f"{spec.name}: {spec.description}\n    weights: {spec.weights_location(settings)}")
            if spec.licence:
                print(f"    licence: {spec.licence}")
        return EXIT_OK
    try:
        spec = get_spec(args.name)
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if spec.download is None:
        print(f"{spec.name} needs no weights")
        return EXIT_OK
    try:
        spec.download(settings)
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{spec.name}: weights in {spec.weights_location(settings)}")
    return EXIT_OK


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} B"


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from tag.messages import export_schemas

    for path in export_schemas(args.out):
        print(path)
    return EXIT_OK


_COMMANDS = {
    "generate": _generate,
    "worker": _worker,
    "bot": _bot,
    "serve": _serve,
    "run": _run,
    "models": _models,
    "schema": _schema,
}
