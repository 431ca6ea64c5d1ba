"""``tag models download make-an-audio``: fetch the official files with huggingface_hub.

Sources: the model folder of the authors' demo (the space behind the reference
README's link), Microsoft's CLAP release, and the BERT tokenizer/config the text
tower was built from.  ``HF_HUB_OFFLINE=1`` is honoured: nothing is fetched, files
already in the hub cache are copied, and anything still missing is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from tag.engines.base import EngineError
from tag.engines.make_an_audio.layout import ModelFiles


@dataclass(frozen=True)
class Source:
    repo_id: str
    repo_type: str
    patterns: tuple[str, ...]
    into: str  # folder under the engine's model folder


SOURCES = (
    Source(
        "AIGC-Audio/Make_An_Audio",
        "space",
        ("useful_ckpts/maa1_full.ckpt", "useful_ckpts/bigvgan/*", "useful_ckpts/CLAP/config.yml"),
        ".",
    ),
    Source("microsoft/msclap", "model", ("CLAP_weights_2022.pth",), "useful_ckpts/CLAP"),
    Source(
        "google-bert/bert-base-uncased",
        "model",
        ("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json"),
        "bert-base-uncased",
    ),
)


def download(files: ModelFiles, sources: tuple[Source, ...] = SOURCES, *, model: str = "Make-An-Audio") -> None:
    try:
        from huggingface_hub import constants, snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:
        raise EngineError("huggingface_hub is not installed: pip install 'tag[ml]'", code="engine_unavailable") from None
    offline = bool(constants.HF_HUB_OFFLINE)
    failures = []
    for source in sources:
        target = (files.root / source.into).resolve()
        target.mkdir(parents=True, exist_ok=True)
        try:
            snapshot_download(
                repo_id=source.repo_id,
                repo_type=source.repo_type,
                allow_patterns=list(source.patterns),
                local_dir=str(target),
            )
        except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
            failures.append(f"{source.repo_id}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    missing = files.missing()
    if missing:
        why = "HF_HUB_OFFLINE is set, so nothing was fetched" if offline else "the download did not provide them"
        lines = "\n  ".join(str(p) for p in missing)
        details = ("\n" + "\n".join(failures)) if failures else ""
        raise EngineError(
            f"{model} files still missing ({why}):\n  {lines}\n"
            f"Copy the official files into {files.root} by hand (the README's Engines section).{details}",
            code="download_failed",
        )
