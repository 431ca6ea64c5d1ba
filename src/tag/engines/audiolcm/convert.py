"""Routing the official ``audiolcm.ckpt`` state dict to our modules, strictly.

The checkpoint is the whole Lightning ``LCM_audio`` module: the distilled student
``unet.diffusion_model.*`` (what the reference sampler runs), the teacher
``model.diffusion_model.*`` and its EMA target ``target_unet.diffusion_model.*``
(training only), the autoencoder ``first_stage_model.*``, both text towers
``cond_stage_model.{caption_encoder,t5_transformer}.*``, ``scale_factor`` and the
schedule buffers.  Our modules carry the reference's attribute names, so each part
loads after removing its prefix; every key is either used or known to be unused
by inference, every parameter must be filled with its exact shape, and errors
name the keys (``check_against``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import torch

from tag.engines.audiolcm.architecture import LCMArch
from tag.engines.make_an_audio.convert import SCHEDULE_BUFFERS, ConversionError, _check_schedule, _names

STUDENT = "unet.diffusion_model."
DECODER = ("first_stage_model.decoder.", "first_stage_model.post_quant_conv.")
CLAP_TEXT = "cond_stage_model.caption_encoder."
T5_TEXT = "cond_stage_model.t5_transformer."
# In the file but not run to generate: the teacher and the distillation target, the
# encoder half of the autoencoder, and training-only state.
UNUSED = (
    "model.diffusion_model.",
    "target_unet.diffusion_model.",
    "first_stage_model.encoder.",
    "first_stage_model.quant_conv.",
    "first_stage_model.loss.",
    "model_ema.",
)


@dataclass
class SplitCheckpoint:
    backbone: dict[str, torch.Tensor]
    decoder: dict[str, torch.Tensor]
    clap_text: dict[str, torch.Tensor]
    t5: dict[str, torch.Tensor]  # empty when the file leaves T5 to its own folder
    scale_factor: float


def split_checkpoint(state: Mapping[str, torch.Tensor], arch: LCMArch) -> SplitCheckpoint:
    """Every official key routed to its part with the prefix removed; strict."""
    backbone, decoder, clap, t5 = {}, {}, {}, {}
    unknown, scale_factor = [], None
    for key, value in state.items():
        if key.startswith(STUDENT):
            backbone[key[len(STUDENT) :]] = value
        elif key.startswith(DECODER):
            decoder[key[len("first_stage_model.") :]] = value
        elif key.startswith(CLAP_TEXT):
            clap[key[len(CLAP_TEXT) :]] = value
        elif key.startswith(T5_TEXT):
            t5[key[len(T5_TEXT) :]] = value
        elif key.startswith(UNUSED) or key in SCHEDULE_BUFFERS:
            continue
        elif key == "scale_factor":
            scale_factor = float(value)
        else:
            unknown.append(key)
    if unknown:
        raise ConversionError(f"unexpected keys in the checkpoint: {_names(unknown)}")
    for part, name in ((backbone, STUDENT), (decoder, DECODER[0]), (clap, CLAP_TEXT)):
        if not part:
            raise ConversionError(f"the checkpoint has no {name}* keys: is it audiolcm.ckpt?")
    if scale_factor is None:
        raise ConversionError("the checkpoint has no scale_factor")
    _check_schedule(state, arch.schedule)
    return SplitCheckpoint(backbone, decoder, clap, t5, scale_factor)
