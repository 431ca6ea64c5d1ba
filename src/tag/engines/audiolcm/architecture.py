"""The AudioLCM architecture, read from the reference config ``configs/audiolcm.yaml``.

Its values are built in; a YAML of that format in the model folder
(``audiolcm.yaml``) overrides them, which is how the tests describe tiny models.
Parts: a DiT backbone over [time token, CLAP tokens, T5 tokens, latent frames]
(``ConcatDiT2MLP``), a 1-D KL autoencoder over 80-bin mel frames (20 latent
channels, time halved once), the linear noise schedule and the LCM distillation
grid (``num_ddim_timesteps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tag.engines.make_an_audio.architecture import ScheduleArch, _pick, reference_sections


@dataclass(frozen=True)
class DiTArch:
    in_channels: int = 20
    context_dim: int = 1024
    hidden_size: int = 576
    num_heads: int = 8
    depth: int = 4
    max_len: int = 1000  # positions for 1 + 2 * 77 text tokens + the latent frames


@dataclass(frozen=True)
class Autoencoder1DArch:
    embed_dim: int = 20
    z_channels: int = 20
    in_channels: int = 80
    out_ch: int = 80
    kernel_size: int = 5
    ch: int = 384
    ch_mult: tuple[int, ...] = (1, 2, 4)
    num_res_blocks: int = 2
    attn_layers: tuple[int, ...] = (3,)  # level 3 does not exist with three levels: mid attention only
    down_layers: tuple[int, ...] = (0,)

    @property
    def time_down(self) -> int:
        return 2 ** len(self.down_layers)


@dataclass(frozen=True)
class LCMArch:
    dit: DiTArch = field(default_factory=DiTArch)
    autoencoder: Autoencoder1DArch = field(default_factory=Autoencoder1DArch)
    # mel_length 312 latent frames = 624 mel frames, about 10 s.
    schedule: ScheduleArch = field(default_factory=lambda: ScheduleArch(train_latent_width=312))
    original_steps: int = 50  # num_ddim_timesteps: the grid the student was distilled on


def architecture_from_config(config: dict[str, Any]) -> LCMArch:
    """Read the parts of a reference ``audiolcm.yaml`` that shape the networks."""
    params, dit, dd, schedule = reference_sections(config)
    schedule["train_latent_width"] = int(params.get("mel_length", 312))
    return LCMArch(
        _pick(DiTArch, dit),
        _pick(Autoencoder1DArch, dd),
        _pick(ScheduleArch, schedule),
        int(params.get("num_ddim_timesteps", 50)),
    )


def load_architecture(path: Path | None) -> LCMArch:
    """The architecture from a reference YAML if ``path`` exists, else the built-in one."""
    if path is None or not path.is_file():
        return LCMArch()
    import yaml

    with open(path, encoding="utf-8") as handle:
        return architecture_from_config(yaml.safe_load(handle) or {})
