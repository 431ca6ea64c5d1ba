"""The CLAP (2022) text tower: BERT plus the CLAP projection.

Two uses share these weights:

* Make-An-Audio conditions its UNet on every token: prompts padded to 77 tokens,
  BERT run *without* an attention mask, each token's last hidden state projected
  to ``d_proj`` -> (B, 77, 1024).  That is :meth:`ClapTextEncoder.forward`.
* The CLAP scorer compares a sentence embedding with audio embeddings: BERT run
  with the attention mask, the [CLS] token's hidden state projected ->
  :meth:`ClapTextEncoder.sentence_embedding`.

The module's attribute names (``base``, ``projection``) are the checkpoints' key
names, so ``caption_encoder.*`` in ``CLAP_weights_2022.pth`` and
``cond_stage_model.caption_encoder.*`` in ``maa1_full.ckpt`` load strictly after
removing the prefix (see :func:`text_encoder_state`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import torch
from torch import nn
from transformers import BertConfig, BertModel, BertTokenizer

from tag.engines.clap.checkpoint import CheckpointError, load_strict, strip_prefix
from tag.engines.clap.projection import Projection

BERT_BASE_UNCASED = "bert-base-uncased"
# The published bert-base-uncased architecture, so no hub access is needed to
# rebuild it; the weights always come from the CLAP / Make-An-Audio checkpoint.
_BERT_BASE_UNCASED = dict(
    vocab_size=30522,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    hidden_act="gelu",
    hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1,
    max_position_embeddings=512,
    type_vocab_size=2,
    layer_norm_eps=1e-12,
    pad_token_id=0,
)
# Older transformers saved this buffer; it is always arange(max_positions) and
# today's BertModel rebuilds it instead of storing it.
_LEGACY_POSITION_IDS = "base.embeddings.position_ids"
CONDITIONING_LENGTH = 77


def bert_config(text_model: str, folder: Path | None = None) -> BertConfig:
    """The BERT architecture: ``folder/config.json`` if present, else the known one.

    ``folder`` is the tokenizer folder; a copy of the model's hub folder without
    weights (``config.json`` + vocabulary) fits there as is.
    """
    if folder is not None and (folder / "config.json").is_file():
        try:
            return BertConfig.from_json_file(str(folder / "config.json"))
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"BERT config {folder / 'config.json'} is unreadable: {exc}") from None
    if text_model == BERT_BASE_UNCASED:
        return BertConfig(**_BERT_BASE_UNCASED)
    where = f" and {folder / 'config.json'} does not exist" if folder is not None else ""
    raise CheckpointError(f"unknown text model {text_model!r}: only {BERT_BASE_UNCASED!r} is built in{where}")


class ClapTextEncoder(nn.Module):
    def __init__(self, config: BertConfig, d_proj: int = 1024) -> None:
        super().__init__()
        self.base = BertModel(config, add_pooling_layer=True)  # pooler unused, but in the checkpoints
        self.projection = Projection(config.hidden_size, d_proj)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Per-token projected states (B, L, d_proj), no attention mask (as the conditioner)."""
        hidden = self.base(input_ids=input_ids).last_hidden_state
        return self.projection(hidden)

    def sentence_embedding(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The scorer's text embedding (B, d_proj): projected [CLS] state, not normalised."""
        hidden = self.base(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        return self.projection(hidden[:, 0, :])


def text_encoder_state(
    state: Mapping[str, torch.Tensor], prefix: str, source: str = "checkpoint"
) -> dict[str, torch.Tensor]:
    """The text tower's entries of an official state dict, keyed as ClapTextEncoder's.

    ``prefix`` is ``"caption_encoder."`` (CLAP file) or
    ``"cond_stage_model.caption_encoder."`` (Make-An-Audio checkpoint).  The legacy
    ``position_ids`` buffer is checked (it must be 0..n-1) and consumed.
    """
    own = strip_prefix(state, prefix)
    if not own:
        raise CheckpointError(f"{source} has no keys starting with {prefix!r}")
    position_ids = own.pop(_LEGACY_POSITION_IDS, None)
    if position_ids is not None:
        flat = position_ids.reshape(-1)
        if not torch.equal(flat.long(), torch.arange(flat.numel())):
            raise CheckpointError(f"{source}: {prefix}{_LEGACY_POSITION_IDS} is not 0..n-1")
    return own


def load_text_encoder(
    state: Mapping[str, torch.Tensor],
    prefix: str,
    config: BertConfig,
    d_proj: int,
    source: str = "checkpoint",
) -> ClapTextEncoder:
    """A ClapTextEncoder in eval mode holding the weights under ``prefix``."""
    encoder = ClapTextEncoder(config, d_proj)
    load_strict(encoder, text_encoder_state(state, prefix, source), f"{source} (prefix {prefix!r})")
    return encoder.eval()


def load_tokenizer(folder: Path) -> BertTokenizer:
    """The BERT WordPiece tokenizer saved in ``folder`` (vocab.txt or tokenizer.json)."""
    if not folder.is_dir() or not any((folder / name).is_file() for name in ("vocab.txt", "tokenizer.json")):
        raise CheckpointError(
            f"missing BERT tokenizer: expected vocab.txt or tokenizer.json of {BERT_BASE_UNCASED} in {folder}"
        )
    try:
        return BertTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"BERT tokenizer in {folder} is unreadable: {exc}") from None


def conditioning_tokens(
    tokenizer: BertTokenizer, prompts: Sequence[str], max_length: int = CONDITIONING_LENGTH
) -> torch.Tensor:
    """Token ids (B, max_length) as Make-An-Audio's conditioner makes them: truncated, padded."""
    batch = tokenizer(
        list(prompts), truncation=True, max_length=max_length, padding="max_length", return_tensors="pt"
    )
    return batch["input_ids"]
