"""AudioLCM on Make-An-Audio's fast path: one finish stage, bfloat16 autocast, preview ranking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from tag.config import Settings
from tag.engines import create_engine
from tag.engines.audiolcm.engine import DEFAULTS, build_pipeline
from tag.engines.audiolcm.pipeline import AudioLCMPipeline, LCMOptions, latent_width_for
from tag.engines.make_an_audio.finish import FinishStage
from tag.engines.make_an_audio.mel import griffin_lim_preview
from tag.engines.make_an_audio.pipeline import MakeAnAudioPipeline

PROMPT = "a dog barks in the rain"


def _pipeline(models: Path, compute: str) -> AudioLCMPipeline:
    return build_pipeline(Settings(_env_file=None, model_dir=models, compute_dtype=compute, threads=1))


@pytest.fixture(scope="module")
def exact(lcm_model_dir: Path) -> AudioLCMPipeline:
    return _pipeline(lcm_model_dir, "float32")


@pytest.fixture(scope="module")
def fast(lcm_model_dir: Path) -> AudioLCMPipeline:
    return _pipeline(lcm_model_dir, "bfloat16")


class VocoderCalls:
    """The batch sizes the pipeline's BigVGAN is called with (the real vocoder runs)."""

    def __init__(self, pipe: AudioLCMPipeline) -> None:
        self.vocoder = pipe.vocoder
        self.batches: list[int] = []

    def __enter__(self) -> list[int]:
        original = self.vocoder.forward
        self.vocoder.forward = lambda mel: (self.batches.append(mel.shape[0]), original(mel))[1]  # type: ignore[method-assign]
        return self.batches

    def __exit__(self, *exc: object) -> None:
        del self.vocoder.forward


class OutputDtypes:
    """The dtypes ``module`` produced while the block ran."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.module = module
        self.seen: list[torch.dtype] = []

    def __enter__(self) -> list[torch.dtype]:
        self.hook = self.module.register_forward_hook(lambda m, args, out: self.seen.append(out.dtype))
        return self.seen

    def __exit__(self, *exc: object) -> None:
        self.hook.remove()


def test_both_engines_finish_through_the_one_shared_stage() -> None:
    assert issubclass(AudioLCMPipeline, FinishStage) and issubclass(MakeAnAudioPipeline, FinishStage)
    assert AudioLCMPipeline.finish is MakeAnAudioPipeline.finish is FinishStage.finish
    assert DEFAULTS.preview_rank and not DEFAULTS.parity


def test_preview_ranking_vocodes_only_the_winner(exact: AudioLCMPipeline) -> None:
    options = LCMOptions(candidates=3, preview_rank=True)
    with VocoderCalls(exact) as batches:
        result = exact(PROMPT, 1.0, seed=5, options=options)
    assert batches == [1] and result.preview_ranked
    # The same candidates by hand: ranked on their previews, the winner vocoded alone.
    latents = exact.sample(exact.encode_text(PROMPT), 5, 3, latent_width_for(1.0), options)
    mel = exact.decode(latents)
    scores = exact.rank(PROMPT, griffin_lim_preview(mel)[:, :16000])
    assert len(set(scores)) == 3  # a real choice among different candidates
    assert result.chosen == int(np.argmax(scores)) and np.allclose(result.scores, scores, atol=1e-5)
    assert np.array_equal(result.waveform, exact.vocode(mel[result.chosen : result.chosen + 1])[0, :16000].numpy())


def test_the_exact_path_vocodes_and_scores_every_candidate_in_float32(fast: AudioLCMPipeline) -> None:
    parity = LCMOptions(candidates=3, preview_rank=True, parity=True)  # parity wins over preview_rank
    with VocoderCalls(fast) as batches, OutputDtypes(fast.c.backbone.proj_in) as backbone, \
            OutputDtypes(fast.c.decoder.decoder.conv_out) as decoder:
        result = fast(PROMPT, 1.0, seed=5, options=parity)
    assert batches == [3] and not result.preview_ranked
    assert set(backbone) == set(decoder) == {torch.float32}  # a bfloat16 pipeline, but exact work
    unranked = fast(PROMPT, 1.0, seed=5, options=replace(parity, parity=False, preview_rank=False))
    assert not unranked.preview_ranked and len(unranked.scores) == 3


def test_bfloat16_autocast_reaches_the_backbone_and_moves_the_result_by_rounding_only(
    exact: AudioLCMPipeline, fast: AudioLCMPipeline
) -> None:
    options = LCMOptions(candidates=2)
    width = latent_width_for(1.0)
    cond = exact.encode_text(PROMPT)
    with OutputDtypes(fast.c.backbone.proj_in) as backbone:
        got = fast.sample(cond, 7, 2, width, options)
    with OutputDtypes(exact.c.backbone.proj_in) as reference:
        want = exact.sample(cond, 7, 2, width, options)
    assert backbone and set(backbone) == {torch.bfloat16}
    assert set(reference) == {torch.float32}
    assert next(fast.c.backbone.parameters()).dtype == torch.float32  # weights untouched
    relative = ((got - want).norm() / want.norm()).item()
    assert 0 < relative < 0.05
    with OutputDtypes(fast.c.decoder.decoder.conv_out) as decoder:
        fast.decode(want)
    assert set(decoder) == {torch.bfloat16}


@pytest.mark.parametrize(("compute", "precision"), [("bfloat16", "bfloat16"), ("float32", "float32")])
def test_details_report_the_ranking_and_precision_like_make_an_audio(
    lcm_model_dir: Path, compute: str, precision: str
) -> None:
    engine = create_engine("audiolcm", Settings(_env_file=None, model_dir=lcm_model_dir, compute_dtype=compute, threads=1))
    three = engine.generate(PROMPT, 1.0, seed=2, candidates=3)
    assert three.details["ranked_on"] == "previews" and three.details["precision"] == precision
    assert three.details["sampler"] == "lcm" and len(three.details["scores"]) == 3
    one = engine.generate(PROMPT, 1.0, seed=2, candidates=1)
    assert one.details["ranked_on"] == "waveforms"  # nothing to choose between: no previews

