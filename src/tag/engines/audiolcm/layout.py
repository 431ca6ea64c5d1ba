"""Where the official AudioLCM files live in the model folder.

The folder is the published model repository's layout unchanged (what
``tag models download audiolcm`` fetches), plus the CLAP ``config.yml`` that the
re-ranking scorer reads (the model repository ships only the CLAP weights):

    <model_dir>/audiolcm/
        audiolcm.ckpt                                 the Lightning checkpoint (student, teacher,
                                                      autoencoder, both text towers)
        useful_ckpt/vocoder/{args.yml,best_netG.pt}   BigVGAN, 16 kHz, 80 mels
        useful_ckpt/bert-base-uncased/                CLAP text tower tokenizer + config
        useful_ckpt/t5-v1_1-large/                    T5 tokenizer (spiece.model) + config
        useful_ckpt/FrozenCLAPFLANEmbedder/{CLAP_weights_2022.pth,config.yml}   for re-ranking
        audiolcm.yaml                                 optional: a reference-format config
                                                      (else the reference configs/audiolcm.yaml values)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tag.engines.make_an_audio.layout import OfficialFiles

ENGINE_NAME = "audiolcm"


@dataclass(frozen=True)
class AudioLCMFiles(OfficialFiles):
    root: Path

    @property
    def checkpoint(self) -> Path:
        return self.root / "audiolcm.ckpt"

    @property
    def config(self) -> Path:
        return self.root / "audiolcm.yaml"

    @property
    def vocoder_dir(self) -> Path:
        return self.root / "useful_ckpt" / "vocoder"

    @property
    def bert_dir(self) -> Path:
        return self.root / "useful_ckpt" / "bert-base-uncased"

    @property
    def t5_dir(self) -> Path:
        return self.root / "useful_ckpt" / "t5-v1_1-large"

    @property
    def clap_dir(self) -> Path:
        return self.root / "useful_ckpt" / "FrozenCLAPFLANEmbedder"

    def required(self) -> list[Path]:
        return [
            self.checkpoint,
            self.vocoder_dir / "args.yml",
            self.vocoder_dir / "best_netG.pt",
            self.bert_dir / "vocab.txt",
            self.t5_dir / "config.json",
            self.t5_dir / "spiece.model",
            self.clap_dir / "CLAP_weights_2022.pth",
            self.clap_dir / "config.yml",
        ]

    model = "AudioLCM"
    engine = ENGINE_NAME
    layout = ("audiolcm.ckpt, useful_ckpt/vocoder/, useful_ckpt/bert-base-uncased/, useful_ckpt/t5-v1_1-large/, "
              "useful_ckpt/FrozenCLAPFLANEmbedder/")


def model_files(model_dir: Path) -> AudioLCMFiles:
    return AudioLCMFiles(Path(model_dir) / ENGINE_NAME)
