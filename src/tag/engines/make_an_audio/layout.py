"""Where the official Make-An-Audio files live in the model folder.

The folder mirrors the reference repository's ``useful_ckpts`` layout unchanged,
plus the BERT tokenizer/config files the text tower needs (the reference fetched
them from the hub as ``bert-base-uncased`` at start-up; we keep them local):

    <model_dir>/make-an-audio/
        useful_ckpts/maa1_full.ckpt
        useful_ckpts/bigvgan/{args.yml,best_netG.pt}
        useful_ckpts/CLAP/{CLAP_weights_2022.pth,config.yml}
        bert-base-uncased/{vocab.txt,config.json,...}
        txt2audio_args.yaml          optional: a reference-format config (else read off the checkpoint)
        converted/                   written by us: the weights in diffusers naming
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tag.engines.base import EngineError

ENGINE_NAME = "make-an-audio"


class OfficialFiles:
    """A model folder in its official layout: which files must be there, and the
    error naming every missing one and where it belongs."""

    root: Path
    model: str
    engine: str
    layout: str

    def required(self) -> list[Path]:
        raise NotImplementedError

    def missing(self) -> list[Path]:
        return [path for path in self.required() if not path.is_file()]

    def check(self) -> None:
        missing = self.missing()
        if missing:
            names = "\n  ".join(str(path) for path in missing)
            raise MissingFilesError(
                f"{self.model} files are missing:\n  {names}\n"
                f"Put the official files in {self.root} (layout: {self.layout}) "
                f"or run `tag models download {self.engine}`."
            )


@dataclass(frozen=True)
class ModelFiles(OfficialFiles):
    root: Path

    @property
    def checkpoint(self) -> Path:
        return self.root / "useful_ckpts" / "maa1_full.ckpt"

    @property
    def vocoder_dir(self) -> Path:
        return self.root / "useful_ckpts" / "bigvgan"

    @property
    def clap_dir(self) -> Path:
        return self.root / "useful_ckpts" / "CLAP"

    @property
    def bert_dir(self) -> Path:
        return self.root / "bert-base-uncased"

    @property
    def config(self) -> Path:
        return self.root / "txt2audio_args.yaml"

    @property
    def converted_dir(self) -> Path:
        return self.root / "converted"

    def required(self) -> list[Path]:
        return [
            self.checkpoint,
            self.vocoder_dir / "args.yml",
            self.vocoder_dir / "best_netG.pt",
            self.clap_dir / "CLAP_weights_2022.pth",
            self.clap_dir / "config.yml",
            self.bert_dir / "vocab.txt",  # config.json there is optional: bert-base-uncased is built in
        ]

    # For OfficialFiles.check's message.
    model = "Make-An-Audio"
    engine = ENGINE_NAME
    layout = "useful_ckpts/maa1_full.ckpt, useful_ckpts/bigvgan/, useful_ckpts/CLAP/, bert-base-uncased/"


class MissingFilesError(EngineError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="engine_unavailable")


def model_files(model_dir: Path) -> ModelFiles:
    return ModelFiles(Path(model_dir) / ENGINE_NAME)
