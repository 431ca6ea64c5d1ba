"""What TAG knows about each peer model, without importing torch.

One ``PeerModel`` per engine: where its weights come from, under which licence,
what it produces and the longest clip we let it render.  The engine classes, the
weight manager and ``tag models list`` all read from here, so the facts live in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["diffusers", "musicgen"]


@dataclass(frozen=True)
class PeerModel:
    name: str
    description: str
    model_id: str
    family: Family
    sample_rate: int
    max_duration: float
    licence: str
    priority: int
    default_steps: int | None
    default_guidance: float
    # Gated repositories need the licence accepted on the model page and a token.
    gated: bool = False


AUDIOLDM = PeerModel(
    name="audioldm",
    description="AudioLDM (small, full data v2): latent diffusion on mel spectrograms, CLAP-conditioned",
    model_id="cvssp/audioldm-s-full-v2",
    family="diffusers",
    sample_rate=16000,
    # Trained on 10.24 s clips; the convolutional UNet and HiFi-GAN vocoder render
    # longer ones, but quality falls off and memory grows linearly, so we stop at 30 s.
    max_duration=30.0,
    licence="CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    priority=60,
    default_steps=25,
    default_guidance=2.5,
)

AUDIOLDM2 = PeerModel(
    name="audioldm2",
    description="AudioLDM 2: CLAP + Flan-T5 -> GPT-2 'language of audio' conditioning a latent diffusion UNet",
    model_id="cvssp/audioldm2",
    family="diffusers",
    sample_rate=16000,
    max_duration=30.0,
    licence="CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    priority=70,
    default_steps=50,
    default_guidance=3.5,
)

STABLE_AUDIO = PeerModel(
    name="stable-audio",
    description="Stable Audio Open 1.0: diffusion transformer over a waveform autoencoder, 44.1 kHz stereo",
    model_id="stabilityai/stable-audio-open-1.0",
    family="diffusers",
    sample_rate=44100,
    # The transformer's fixed window: 1024 latent frames x 2048 samples at 44.1 kHz.
    max_duration=47.0,
    licence=(
        "Stability AI Community License (gated: accept it on the model page, then set HF_TOKEN; "
        "free for research, non-commercial use and organisations under USD 1M annual revenue)"
    ),
    priority=80,
    default_steps=100,
    default_guidance=7.0,
    gated=True,
)

MUSICGEN = PeerModel(
    name="musicgen",
    description="MusicGen (small): autoregressive transformer over EnCodec tokens, best for music",
    model_id="facebook/musicgen-small",
    family="musicgen",
    sample_rate=32000,
    max_duration=30.0,
    licence="CC BY-NC 4.0 weights (non-commercial); code MIT",
    priority=50,
    default_steps=None,  # autoregressive: the number of tokens follows from the duration
    default_guidance=3.0,
)

PEER_MODELS: dict[str, PeerModel] = {m.name: m for m in (AUDIOLDM, AUDIOLDM2, STABLE_AUDIO, MUSICGEN)}
