"""CLAP text tower: projection order, both outputs, loading from the official prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tag.engines.clap.checkpoint import CheckpointError
from tag.engines.clap.projection import Projection
from tag.engines.clap.testing import tiny_bert_config, write_tiny_tokenizer
from tag.engines.clap.text import (
    BERT_BASE_UNCASED,
    ClapTextEncoder,
    bert_config,
    conditioning_tokens,
    load_text_encoder,
    load_tokenizer,
)

MAA_PREFIX = "cond_stage_model.caption_encoder."


@torch.no_grad()
def manual_projection(p: Projection, x: torch.Tensor) -> torch.Tensor:
    first = x @ p.linear1.weight.T
    second = F.gelu(first, approximate="none") @ p.linear2.weight.T
    return F.layer_norm(first + second, (first.shape[-1],), p.layer_norm.weight, p.layer_norm.bias, 1e-5)


@pytest.fixture(scope="module")
def encoder() -> ClapTextEncoder:
    torch.manual_seed(0)
    model = ClapTextEncoder(tiny_bert_config(), d_proj=16).eval()
    with torch.no_grad():  # non-trivial layer norm so a wrong order shows
        model.projection.layer_norm.weight.uniform_(0.5, 1.5)
        model.projection.layer_norm.bias.normal_()
    return model


def test_projection_is_residual_then_layer_norm(encoder: ClapTextEncoder) -> None:
    x = torch.randn(3, 32)
    with torch.inference_mode():
        assert torch.allclose(encoder.projection(x), manual_projection(encoder.projection, x), atol=1e-5)


def test_state_dict_keys_use_reference_names(encoder: ClapTextEncoder) -> None:
    keys = set(encoder.state_dict())
    assert {"projection.linear1.weight", "projection.linear2.weight", "projection.layer_norm.weight",
            "projection.layer_norm.bias", "base.embeddings.word_embeddings.weight",
            "base.pooler.dense.weight"} <= keys
    assert not any(k.startswith("projection.linear1.bias") for k in keys)


def test_per_token_and_sentence_outputs(encoder: ClapTextEncoder) -> None:
    ids = torch.tensor([[2, 10, 11, 3, 0, 0], [2, 12, 3, 0, 0, 0]])
    mask = (ids != 0).long()
    with torch.inference_mode():
        tokens = encoder(ids)
        hidden = encoder.base(input_ids=ids).last_hidden_state
        sentence = encoder.sentence_embedding(ids, mask)
        masked_cls = encoder.base(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]
        unpadded = encoder.sentence_embedding(ids[1:, :3], mask[1:, :3])
    assert tokens.shape == (2, 6, 16)
    assert torch.allclose(tokens, manual_projection(encoder.projection, hidden), atol=1e-5)
    assert sentence.shape == (2, 16)
    assert torch.allclose(sentence, manual_projection(encoder.projection, masked_cls), atol=1e-5)
    # With the mask, padding does not change the sentence embedding.
    assert torch.allclose(sentence[1:], unpadded, atol=1e-5)


def official_state(encoder: ClapTextEncoder) -> dict[str, torch.Tensor]:
    """Make-An-Audio layout: the tower under its prefix, other parts, legacy position ids."""
    state = {MAA_PREFIX + k: v.clone() for k, v in encoder.state_dict().items()}
    state[MAA_PREFIX + "base.embeddings.position_ids"] = torch.arange(128)[None]
    state["model.diffusion_model.input_blocks.0.0.weight"] = torch.zeros(3)
    return state


def test_loads_strictly_from_the_make_an_audio_prefix(encoder: ClapTextEncoder) -> None:
    loaded = load_text_encoder(official_state(encoder), MAA_PREFIX, tiny_bert_config(), 16, "maa1_full.ckpt")
    for key, value in encoder.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    ids = torch.tensor([[2, 5, 6, 3]])
    with torch.inference_mode():
        assert torch.equal(loaded(ids), encoder(ids))


def test_missing_and_unexpected_keys_are_named(encoder: ClapTextEncoder) -> None:
    state = official_state(encoder)
    del state[MAA_PREFIX + "projection.linear2.weight"]
    state[MAA_PREFIX + "projection.extra"] = torch.zeros(1)
    with pytest.raises(CheckpointError) as info:
        load_text_encoder(state, MAA_PREFIX, tiny_bert_config(), 16, "maa1_full.ckpt")
    message = str(info.value)
    assert "maa1_full.ckpt" in message
    assert "missing keys: projection.linear2.weight" in message
    assert "unexpected keys: projection.extra" in message


def test_wrong_projection_size_is_a_shape_error(encoder: ClapTextEncoder) -> None:
    with pytest.raises(CheckpointError, match="shape mismatches: projection.layer_norm.bias"):
        load_text_encoder(official_state(encoder), MAA_PREFIX, tiny_bert_config(), 8)


def test_bad_position_ids_and_absent_prefix_are_errors(encoder: ClapTextEncoder) -> None:
    state = official_state(encoder)
    state[MAA_PREFIX + "base.embeddings.position_ids"] = torch.arange(128).flip(0)[None]
    with pytest.raises(CheckpointError, match="position_ids is not 0..n-1"):
        load_text_encoder(state, MAA_PREFIX, tiny_bert_config(), 16)
    with pytest.raises(CheckpointError, match="no keys starting with 'caption_encoder.'"):
        load_text_encoder(state, "caption_encoder.", tiny_bert_config(), 16)


def test_bert_config_from_folder_or_built_in(tmp_path: Path) -> None:
    base = bert_config(BERT_BASE_UNCASED)
    assert (base.hidden_size, base.num_hidden_layers, base.vocab_size) == (768, 12, 30522)
    write_tiny_tokenizer(tmp_path / "tok")
    assert bert_config(BERT_BASE_UNCASED, tmp_path / "tok").hidden_size == 32
    with pytest.raises(CheckpointError, match="unknown text model 'roberta-base'"):
        bert_config("roberta-base", tmp_path / "empty")


def test_tokenizer_round_trip_and_conditioning_tokens(tmp_path: Path) -> None:
    tokenizer = load_tokenizer(write_tiny_tokenizer(tmp_path / "tok"))
    ids = conditioning_tokens(tokenizer, ["A dog barking", "rain " * 100])
    assert ids.shape == (2, 77)
    cls_id, sep_id, pad_id = (tokenizer.convert_tokens_to_ids(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    assert ids[0, :5].tolist() == [cls_id, *tokenizer.convert_tokens_to_ids(["a", "dog", "barking"]), sep_id]
    assert torch.all(ids[0, 5:] == pad_id)
    assert ids[1, -1] == sep_id  # truncated, still closed


def test_missing_tokenizer_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="missing BERT tokenizer.*vocab.txt"):
        load_tokenizer(tmp_path / "nowhere")
