"""The ``tag`` command line (also ``python -m tag``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tag import __version__
from tag.config import MEMORY_URL, Settings, SettingsError, load_settings, redact_url
from tag.logs import setup_logging
from tag.messages import CANDIDATES_MAX, GUIDANCE_MAX, SEED_MAX, STEPS_MAX

if TYPE_CHECKING:
    from tag.engines import Audio

log = logging.getLogger("tag")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# A sound was written, but nothing in the prompt was recognised: it is a neutral fallback, not what was asked.
EXIT_NOT_UNDERSTOOD = 3
EXIT_STATUSES = (
    "exit status: 0 the sound was written (a warning on stderr when only part of the prompt was understood); "
    "1 generating or writing failed; 2 bad arguments or settings; "
    "3 nothing in the prompt was recognised: a neutral ambience was written instead (see the warning and "
    "the suggested prompts; `tag sounds` lists the known sounds)"
)
LANGUAGES = ("en", "ru")
PARITY_ENGINE = "make-an-audio-parity"
FORMATS = ("wav", "ogg", "mp3")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tag", description="TAG: text-to-audio generation.")
    parser.add_argument("--version", action="version", version=f"tag {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = _command(
        commands, "generate", "generate a sound locally (no broker) and write it to a file",
        "Generate a sound on this machine with a local engine and write it to a file. The result line "
        "(or, with --json, one JSON object) goes to stdout; progress, notes and warnings go to stderr.",
    )
    gen.epilog = EXIT_STATUSES
    gen.add_argument("prompt", help='what to hear, e.g. "rain on a tin roof, distant thunder"')
    gen.add_argument("--duration", "-d", type=float, default=5.0, help="seconds (default 5)")
    gen.add_argument(
        "--out", "-o", type=Path,
        help="output file; its extension (.wav, .ogg, .mp3) sets the format (default: from the prompt, in the current folder)",
    )
    gen.add_argument("--engine", "-e", help="engine name, or auto (default: TAG_ENGINE)")
    gen.add_argument("--candidates", "-n", type=int, help=f"candidates to draw, 1 to {CANDIDATES_MAX}; the best is kept")
    gen.add_argument("--seed", type=int, help=f"random seed 0 to {SEED_MAX} for a reproducible sound (default: a fresh one, shown in the result)")
    gen.add_argument("--steps", type=int, help=f"sampler steps, 1 to {STEPS_MAX}")
    gen.add_argument("--guidance", type=float, help=f"classifier-free guidance scale, 0 to {GUIDANCE_MAX:g}")
    gen.add_argument("--format", "-f", choices=list(FORMATS), help="wav, ogg or mp3 (default: from --out's extension, else wav)")
    gen.add_argument("--stereo", action="store_true", help="stereo output where the engine supports it")
    gen.add_argument(
        "--parity",
        action="store_true",
        help="Make-An-Audio with the reference sampler exactly (DDIM 100 steps, its noise), for comparison",
    )
    gen.add_argument(
        "--adapter", metavar="RUN",
        help="a fine-tuned adapter for make-an-audio: a `tag finetune` run folder, its adapter/ folder, "
        "or the name of a folder of TAG_MODEL_DIR/adapters/",
    )
    gen.add_argument(
        "--json", action="store_true",
        help="print one JSON object on stdout: file, engine, duration, sample_rate, seed, sources, not_understood, "
        "fallback, notices, warnings, suggestions",
    )

    sounds = _command(
        commands, "sounds", "list the sounds the synth engine knows, with an example prompt each",
        "List every sound the offline synth engine recognises, grouped by family, with an example prompt "
        "that makes it.",
    )
    sounds.add_argument("--language", "-l", choices=list(LANGUAGES), default="en", help="en or ru (default en)")
    sounds.add_argument(
        "--json", action="store_true",
        help="print a JSON list of families: [{family, sounds: [{name, title, example}]}]",
    )

    _command(
        commands, "worker", "run a GeneratorService worker on the broker",
        "Run a generator worker: take requests from TAG_REQUEST_QUEUE on TAG_BROKER_URL, generate them "
        "with TAG_ENGINE and send the sounds back. Stops cleanly on SIGTERM or Ctrl-C.",
    )
    _command(
        commands, "bot", "run the Telegram bot",
        "Run the Telegram bot (needs TAG_TELEGRAM_TOKEN): it queues users' prompts on TAG_BROKER_URL "
        "and sends back the sounds the workers make.",
    )
    serve = _command(
        commands, "serve", "run the web page and HTTP API",
        "Run the web page and the HTTP API; requests go through TAG_BROKER_URL to workers.",
    )
    _web_address(serve)
    run = _command(
        commands, "run", "everything in one process: web, worker, and the bot if a token is set",
        "Run the web page and API, a worker and (when TAG_TELEGRAM_TOKEN is set) the bot together. "
        "Without TAG_BROKER_URL they share an in-process broker.",
    )
    _web_address(run)
    run.add_argument(
        "--workers", type=int, default=0, metavar="N",
        help="run N separate worker processes, restarted when they crash (needs an amqp:// TAG_BROKER_URL)",
    )

    models = _command(
        commands, "models", "list engines and download their weights",
        "List the engines and their limits, or download an engine's weights into TAG_MODEL_DIR.",
    )
    models_cmd = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    _command(
        models_cmd, "list", "engines, whether their weights are present, and where",
        "Show every engine: ready or not, the auto choice, its rate, its duration limit here and its weights.",
    )
    download = _command(
        models_cmd, "download", "download an engine's weights into TAG_MODEL_DIR",
        "Download an engine's weights into TAG_MODEL_DIR/<name> (honours HF_HUB_OFFLINE).",
    )
    download.add_argument("name", help="engine name, as in `tag models list`")

    _dataset_commands(commands)
    from tag.training.command import add_parser as add_finetune_parser

    add_finetune_parser(commands)

    schema = _command(
        commands, "schema", "write the queue messages' JSON Schemas",
        "Write the JSON Schemas of SoundRequest, SoundResponse and ProgressEvent (the queue contract).",
    )
    schema.add_argument("--out", type=Path, default=Path("docs/schemas"), help="folder to write them in (default docs/schemas)")
    return parser


def _dataset_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from tag.dataset.options import (
        DEFAULT_BATCH, DEFAULT_MARGIN, DEFAULT_MAX_DURATION, DEFAULT_MAX_EVENTS, DEFAULT_TOP_K,
    )

    dataset = _command(
        commands, "dataset", "build training data: caption sounds, compose new text-audio pairs",
        "Pseudo prompt enhancement: caption sounds that have no text with CLAP (caption), then compose "
        "new text-audio pairs from the single-event clips (reprogram). A dataset is a folder: "
        "manifest.jsonl plus the autoencoder's 80-bin log-mels in mels/.",
    )
    actions = dataset.add_subparsers(dest="dataset_command", required=True, metavar="ACTION")
    caption = _command(
        actions, "caption", "caption every sound file in a folder into a dataset",
        "Caption every WAV, FLAC, OGG and MP3 file under FOLDER (any rate, any channels): the top labels "
        "by CLAP retrieval, with the file name's words and a same-name .txt beside the file, make a short "
        "caption. Resumable: files already in the manifest are skipped. Unreadable files are reported "
        "and skipped.",
    )
    caption.add_argument("folder", type=Path, help="folder of sound files (searched recursively)")
    caption.add_argument("--out", "-o", type=Path, required=True, help="dataset folder to write (created; appended to)")
    caption.add_argument(
        "--labels", type=Path,
        help="text file with one label per line (default: the AudioSet ontology's 527 class names)",
    )
    caption.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help=f"labels kept per clip (default {DEFAULT_TOP_K})")
    caption.add_argument("--batch", type=int, default=DEFAULT_BATCH, help=f"clips embedded together (default {DEFAULT_BATCH})")
    caption.add_argument(
        "--clap", type=Path,
        help="CLAP folder (config.yml, CLAP_weights_2022.pth, tokenizer/); default: Make-An-Audio's CLAP in TAG_MODEL_DIR",
    )
    caption.add_argument("--tokenizer", type=Path, help="BERT tokenizer folder (default: the CLAP's)")
    reprogram = _command(
        actions, "reprogram", "compose new clips and captions from a dataset's single events",
        "Dynamic reprogramming: take the clips whose top label is clearly ahead of the second as single "
        "events, and compose COUNT new clips of 2-3 events, concatenated (\"X before Y\", \"X then Y\") "
        "or overlaid (\"X while Y\", \"X as Y\"), loudness balanced. Same --seed, same clips.",
    )
    reprogram.add_argument("dataset", type=Path, help="a dataset made by `tag dataset caption`")
    reprogram.add_argument("--out", "-o", type=Path, required=True, help="dataset folder to write the new clips in")
    reprogram.add_argument("--count", "-n", type=int, required=True, help="clips to compose")
    reprogram.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    reprogram.add_argument(
        "--max-duration", type=float, default=DEFAULT_MAX_DURATION,
        help=f"longest composed clip, seconds (default {DEFAULT_MAX_DURATION:g})",
    )
    reprogram.add_argument(
        "--margin", type=float, default=DEFAULT_MARGIN,
        help=f"how far (cosine) a clip's top label must lead the second to count as one event (default {DEFAULT_MARGIN:g})",
    )
    reprogram.add_argument(
        "--max-events", type=int, choices=(2, 3), default=DEFAULT_MAX_EVENTS,
        help=f"most events in one clip (default {DEFAULT_MAX_EVENTS})",
    )


def _command(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    """A subcommand with a one-line ``help`` (in ``tag -h``) and a ``description`` (in its own -h)."""
    return commands.add_parser(name, help=summary, description=description)


def _web_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: TAG_WEB_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: TAG_WEB_PORT or 8000)")


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


class _Refused(Exception):
    """A ``tag generate`` argument that cannot work; the message is the one line shown."""


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from tag.engines import EngineError, load_plugins

    load_plugins(settings.engine_plugins)
    started = time.perf_counter()
    try:
        job = _prepare(args, settings)
    except _Refused as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for note in job.notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        result, data, rate = job.render(settings, started)
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        job.out.write_bytes(data)
    except OSError as exc:
        print(f"tag: cannot write {job.out}: {_reason(exc)}", file=sys.stderr)
        return EXIT_FAILED
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for suggestion in result.suggestions:
        print(f"try: tag generate {_quoted(suggestion)}", file=sys.stderr)
    if args.json:
        print(json.dumps(job.report(result, rate), ensure_ascii=False))
    else:
        print(
            f"{job.out}: {job.duration:.2f} s, {rate} Hz, {result.channels} ch, engine {result.engine}, "
            f"seed {job.seed}, {time.perf_counter() - started:.1f} s"
        )
    return EXIT_NOT_UNDERSTOOD if result.summary()["fallback"] else EXIT_OK


def _quoted(prompt: str) -> str:
    import shlex

    return shlex.quote(prompt)


@dataclass
class _Job:
    """A checked ``tag generate``: everything known to work before the engine loads."""

    prompt: str
    duration: float
    engine: str
    seed: int
    fmt: str
    out: Path
    args: argparse.Namespace
    notes: list[str]
    adapter: Path | None = None  # the adapter's folder, checked

    def render(self, settings: Settings, started: float) -> "tuple[Audio, bytes, int]":
        from tag import audio
        from tag.engines import create_engine

        engine = create_engine(self.engine, settings)
        log.info("engine %s loaded in %.1f s", engine.name, time.perf_counter() - started)
        with _Progress() as progress:
            result = engine.generate(
                self.prompt,
                self.duration,
                seed=self.seed,
                candidates=self.args.candidates,
                steps=self.args.steps,
                guidance=self.args.guidance,
                stereo=self.args.stereo,
                progress=progress,
                **({"adapter": self.adapter} if self.adapter is not None else {}),
            )
        data, rate = audio.condition(result.samples, result.sample_rate, self.duration, self.fmt)  # type: ignore[arg-type]
        return result, data, rate

    def report(self, result: "Audio", rate: int) -> dict[str, object]:
        """``--json``: what was made, from what, and what the engine did not understand."""
        return {
            "file": str(self.out),
            "engine": result.engine,
            "format": self.fmt,
            "duration": self.duration,
            "sample_rate": rate,
            "channels": result.channels,
            "seed": self.seed,
            **result.summary(),
            "notices": [*self.notes, *result.notices],
            "warnings": list(result.warnings),
            "suggestions": list(result.suggestions),
        }


def _prepare(args: argparse.Namespace, settings: Settings) -> _Job:
    """Check every argument (limits, engine, output path) before anything is generated."""
    from tag.engines import get_spec, resolve_name
    from tag.engines.registry import check_engine_duration, ignored_notice
    from tag.messages import LimitError, check_option, check_prompt, check_seed, new_seed

    name = args.engine or settings.engine
    if args.parity:
        if name not in ("auto", "make-an-audio", PARITY_ENGINE):
            raise _Refused(f"--parity is for the make-an-audio engine, not {name!r}")
        name = PARITY_ENGINE
    spec = get_spec(resolve_name(name, settings))
    try:
        prompt = check_prompt(args.prompt)
        duration = check_engine_duration(args.duration, settings.max_duration, spec.name)
        seed = new_seed() if args.seed is None else check_seed(args.seed)
        for option in ("steps", "candidates", "guidance"):
            check_option(option, getattr(args, option))
    except LimitError as exc:
        raise _Refused(str(exc)) from None
    if args.out is not None and args.out.is_dir():
        raise _Refused(f"{args.out} is a folder; give a file name, e.g. {args.out / 'sound.wav'}")
    fmt = _output_format(args.out, args.format)
    out = args.out or Path(_file_name(prompt) + "." + fmt)
    notes = _check_output(out)
    ignored = spec.ignored(steps=args.steps, guidance=args.guidance, candidates=args.candidates, stereo=args.stereo)
    if ignored:
        notes.append(ignored_notice(spec.name, ignored, flag="--"))
    adapter = _adapter(args.adapter, spec.name, settings) if args.adapter else None
    return _Job(prompt, duration, spec.name, seed, fmt, out, args, notes, adapter)


def _adapter(given: str, engine: str, settings: Settings) -> Path:
    """``--adapter``: a local folder (a run or its adapter/), else a name under TAG_MODEL_DIR/adapters."""
    from tag.engines.adapters import AdapterError, local_adapter, named_adapter

    if engine not in ("make-an-audio", PARITY_ENGINE):
        raise _Refused(f"--adapter is for the make-an-audio engine, not {engine!r}")
    try:
        path = Path(given)
        if path.exists() or len(path.parts) > 1:
            return local_adapter(path)
        return named_adapter(settings.model_dir, given)
    except AdapterError as exc:
        raise _Refused(str(exc)) from None


def _output_format(out: Path | None, asked: str | None) -> str:
    """The format: ``--format`` if given, else the file's extension, else wav."""
    extension = out.suffix.lstrip(".").lower() if out is not None else ""
    if asked is not None:
        if extension and extension != asked:
            raise _Refused(
                f"--format {asked} does not match the file name {out}; use a .{asked} name or leave --format out"
            )
        return asked
    if out is None:
        return "wav"
    if extension not in FORMATS:
        what = f"the extension .{extension}" if extension else "no extension"
        raise _Refused(
            f"unknown output format: {out} has {what}; name it .wav, .ogg or .mp3, or give --format wav, ogg or mp3"
        )
    return extension


def _check_output(out: Path) -> list[str]:
    """Refuse an output path that cannot be written, before generating.

    At most one missing folder level is created (and said); a deeper missing path
    is more likely a typo than a wish.  Returns the notes to show.
    """
    notes = []
    folder = out.parent
    if not folder.exists():
        if not folder.parent.is_dir():
            raise _Refused(
                f"the folders {folder} and {folder.parent} do not exist; only the last missing level "
                f"is created, so create {folder.parent} first"
            )
        try:
            folder.mkdir()
        except OSError as exc:
            raise _Refused(f"cannot create the folder {folder}: {_reason(exc)}") from None
        notes.append(f"created the folder {folder}")
    elif not folder.is_dir():
        raise _Refused(f"{folder} is not a folder, so {out} cannot be written")
    if out.exists():
        # Root may write anything; a file without write permission is still meant to stay.
        if not out.is_file():
            raise _Refused(f"{out} is not a regular file; give a file name")
        if not out.stat().st_mode & 0o222 or not os.access(out, os.W_OK):
            raise _Refused(f"{out} is read-only")
        return notes
    try:  # a real try, since permissions, read-only and special file systems all differ
        out.open("xb").close()
        out.unlink()
    except OSError as exc:
        raise _Refused(f"cannot create {out}: {_reason(exc)}") from None
    return notes


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


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
    from tag.engines.registry import max_duration_on

    load_plugins(settings.engine_plugins)
    if args.models_command == "list":
        try:
            auto = resolve_name("auto", settings)
        except EngineError:
            auto = None
        rows = [("engine", "ready", "auto", "rate", "engine max", "max s", "on disk")]
        for spec in available():
            size = spec.weights_size(settings)
            rows.append((
                spec.name,
                "yes" if spec.is_available(settings) else "no",
                "*" if spec.name == auto else "",
                f"{spec.sample_rate} Hz" if spec.sample_rate else "-",
                f"{spec.max_duration:g}",
                f"{max_duration_on(spec, settings.max_duration):g}",
                "-" if size is None else _human_size(size),
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        print(
            f"\nmax s: the longest sound here, the engine's own limit or this service's "
            f"{settings.max_duration:g} s (TAG_MAX_DURATION), whichever is lower.\n"
        )
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


def _sounds(args: argparse.Namespace, settings: Settings) -> int:
    from tag.engines.synth.catalogue import listing

    groups = listing(args.language)
    if args.json:
        families = [
            {"family": family, "sounds": [{"name": s.name, "title": s.title, "example": s.example} for s in sounds]}
            for family, sounds in groups
        ]
        print(json.dumps(families, ensure_ascii=False, indent=2))
        return EXIT_OK
    width = max(len(s.title) for _, sounds in groups for s in sounds)
    for family, sounds in groups:
        print(f"{family}:")
        for s in sounds:
            print(f"  {s.title.ljust(width)}  {json.dumps(s.example, ensure_ascii=False)}")
    return EXIT_OK


# --- dataset -------------------------------------------------------------------


def _dataset(args: argparse.Namespace, settings: Settings) -> int:
    if args.dataset_command == "caption":
        return _dataset_caption(args, settings)
    return _dataset_reprogram(args, settings)


def _dataset_caption(args: argparse.Namespace, settings: Settings) -> int:
    from tag.dataset import Dataset
    from tag.dataset.labels import LabelsError, read_labels

    if not args.folder.is_dir():
        print(f"tag: {args.folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.top_k < 1 or args.batch < 1:
        print("tag: --top-k and --batch must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.out.exists() and not args.out.is_dir():
        print(f"tag: {args.out} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        labels = read_labels(args.labels)
    except LabelsError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from tag.dataset.caption import LabelRetriever, caption_folder, label_cache_name
    from tag.dataset.clap import load_scorer
    from tag.engines import EngineError

    started = time.perf_counter()
    try:
        scorer, clap_files = load_scorer(settings, args.clap, args.tokenizer, batch_size=args.batch)
    except EngineError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.code == "engine_unavailable" else EXIT_FAILED
    args.out.mkdir(parents=True, exist_ok=True)
    # The labels' embeddings are kept beside the manifest, so a resumed run skips them.
    stored = args.out / ".cache" / label_cache_name(clap_files, labels)
    retriever = LabelRetriever(scorer, labels, args.top_k, stored=stored)
    report = caption_folder(args.folder, Dataset(args.out), retriever, batch=args.batch)
    # Each unreadable file was logged as it was met; the count closes the run.
    print(
        f"{args.out}: {report.written} captioned, {report.skipped} already there, "
        f"{len(report.failed)} unreadable (skipped), {time.perf_counter() - started:.1f} s"
    )
    return EXIT_OK


def _dataset_reprogram(args: argparse.Namespace, settings: Settings) -> int:
    from tag.dataset import MANIFEST, Dataset
    from tag.dataset.reprogram import ReprogramError, reprogram

    if not (args.dataset / MANIFEST).is_file():
        print(f"tag: {args.dataset} is not a dataset (no {MANIFEST}); make one with `tag dataset caption`", file=sys.stderr)
        return EXIT_USAGE
    if args.count < 1 or args.max_duration <= 0:
        print("tag: --count must be at least 1 and --max-duration positive", file=sys.stderr)
        return EXIT_USAGE
    if args.out.exists() and not args.out.is_dir():
        print(f"tag: {args.out} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        report = reprogram(
            Dataset(args.dataset), Dataset(args.out), args.count, seed=args.seed,
            max_duration=args.max_duration, margin=args.margin, max_events=args.max_events,
        )
    except ReprogramError as exc:
        print(f"tag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{args.out}: {report.written} composed from {report.events} single events, "
        f"{report.skipped} already there, {len(report.failed)} failed, {time.perf_counter() - started:.1f} s"
    )
    return EXIT_FAILED if report.failed and not report.written else EXIT_OK


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from tag.messages import export_schemas

    for path in export_schemas(args.out):
        print(path)
    return EXIT_OK


def _finetune(args: argparse.Namespace, settings: Settings) -> int:
    from tag.training.command import run_command

    return run_command(args, settings)


_COMMANDS = {
    "generate": _generate,
    "worker": _worker,
    "bot": _bot,
    "serve": _serve,
    "run": _run,
    "models": _models,
    "sounds": _sounds,
    "schema": _schema,
    "dataset": _dataset,
    "finetune": _finetune,
}
