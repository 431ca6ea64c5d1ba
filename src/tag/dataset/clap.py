"""Which CLAP captions the sounds: a ``--clap DIR`` given, else Make-An-Audio's own.

``--clap DIR`` is a folder in CLAP's official layout (``config.yml``,
``CLAP_weights_2022.pth``) with the BERT tokenizer in ``DIR/tokenizer`` (or
``--tokenizer``).  Without it, the CLAP inside the Make-An-Audio model folder is
used (``TAG_MODEL_DIR/make-an-audio/useful_ckpts/CLAP`` with its
``bert-base-uncased`` tokenizer), as the engine itself finds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tag.engines.base import EngineError
from tag.engines.clap.model import CONFIG_FILE, WEIGHTS_FILE

if TYPE_CHECKING:
    from tag.config import Settings
    from tag.engines.clap import ClapScorer


class MissingClapError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="engine_unavailable")


def clap_folders(settings: "Settings", clap: Path | None, tokenizer: Path | None) -> tuple[Path, Path]:
    """(CLAP folder, tokenizer folder); MissingClapError naming every missing file."""
    from tag.engines.make_an_audio.layout import model_files

    if clap is not None:
        clap_dir = Path(clap)
        tokenizer_dir = Path(tokenizer) if tokenizer is not None else clap_dir / "tokenizer"
        where = f"--clap {clap_dir}"
    else:
        files = model_files(settings.model_dir)
        clap_dir = files.clap_dir
        tokenizer_dir = Path(tokenizer) if tokenizer is not None else files.bert_dir
        where = f"the Make-An-Audio folder {files.root} (TAG_MODEL_DIR)"
    needed = [clap_dir / CONFIG_FILE, clap_dir / WEIGHTS_FILE, tokenizer_dir / "vocab.txt"]
    missing = [path for path in needed if not path.is_file()]
    if missing:
        names = "\n  ".join(str(path) for path in missing)
        raise MissingClapError(
            f"no CLAP to caption with in {where}; missing:\n  {names}\n"
            "Give --clap DIR (a folder with config.yml, CLAP_weights_2022.pth and tokenizer/vocab.txt) "
            "or run `tag models download make-an-audio`."
        )
    return clap_dir, tokenizer_dir


def load_scorer(
    settings: "Settings", clap: Path | None = None, tokenizer: Path | None = None, batch_size: int = 8
) -> "tuple[ClapScorer, list[Path]]":
    """The scorer, and the files it was made from (what identifies its embeddings)."""
    from tag.engines.clap import ClapScorer
    from tag.engines.make_an_audio.speed import set_threads
    from tag.engines.peers.runtime import resolve_device

    clap_dir, tokenizer_dir = clap_folders(settings, clap, tokenizer)
    set_threads(settings.threads)
    scorer = ClapScorer.from_folder(clap_dir, tokenizer_dir, device=resolve_device(settings.device), batch_size=batch_size)
    return scorer, [clap_dir / CONFIG_FILE, clap_dir / WEIGHTS_FILE, tokenizer_dir / "vocab.txt"]
