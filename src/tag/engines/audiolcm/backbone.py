"""The AudioLCM backbone: a DiT over one sequence of time, text and latent tokens.

The reference ``ConcatDiT2MLP`` (concatDiT.py).  Sequence = [time token,
77 CLAP tokens, 77 T5 tokens, latent frames] plus a learned position table; each
block is GroupNorm -> 1x1 conv -> (self-attention, a second self-attention,
a GEGLU feed-forward made of 9-tap convolutions) -> 1x1 conv, residual; the
text positions are dropped before the output head.  The second attention of each
block gets no context in the reference, so it attends to the sequence too.

Attribute names are the checkpoint's (``unet.diffusion_model.*`` minus the
prefix), so the state dict loads as is; the attention layers are diffusers'
``Attention`` (same ``to_q/to_k/to_v/to_out.0`` parameters, SDPA kernels).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from diffusers.models.attention_processor import Attention
from diffusers.models.embeddings import get_timestep_embedding
from torch import nn

from tag.engines.audiolcm.architecture import DiTArch

FREQUENCY_DIM = 256  # sinusoid width of the timestep and the guidance embeddings
TEXT_TOKENS = 77  # per text tower


def guidance_embedding(w: torch.Tensor, dim: int = FREQUENCY_DIM) -> torch.Tensor:
    """The LCM guidance-scale embedding of ``w`` = scale - 1: [sin, cos] of w * 1000
    with frequencies exp(-ln(1e4) i / (dim/2 - 1)), as the reference sampler."""
    return get_timestep_embedding(w.float() * 1000.0, dim, flip_sin_to_cos=False, downscale_freq_shift=1)


class TimestepEmbedder(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQUENCY_DIM, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        # The guidance embedding is added to the timestep sinusoid through this.
        self.proj_w = nn.Linear(FREQUENCY_DIM, FREQUENCY_DIM, bias=False)

    def forward(self, t: torch.Tensor, w_embedding: torch.Tensor | None) -> torch.Tensor:
        # Reference order [cos, sin], frequencies exp(-ln(1e4) i / (dim/2)).
        freq = get_timestep_embedding(t, FREQUENCY_DIM, flip_sin_to_cos=True, downscale_freq_shift=0)
        if w_embedding is not None:
            freq = freq + self.proj_w(w_embedding.to(freq.dtype))
        return self.mlp(freq.to(self.mlp[0].weight.dtype))


class ConditionEmbedder(nn.Module):
    def __init__(self, context_dim: int, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(context_dim, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, hidden), nn.LayerNorm(hidden)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(x)


class Conv1dGEGLU(nn.Module):
    def __init__(self, dim: int, inner: int, kernel: int = 9) -> None:
        super().__init__()
        self.proj = nn.Conv1d(dim, inner * 2, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, gate = self.proj(x).chunk(2, dim=1)
        return x * F.gelu(gate)


class Conv1dFeedForward(nn.Module):
    def __init__(self, dim: int, mult: int = 4, kernel: int = 9) -> None:
        super().__init__()
        # net.1 is the reference's dropout: kept so the indices match the checkpoint.
        self.net = nn.Sequential(Conv1dGEGLU(dim, dim * mult, kernel), nn.Identity(), nn.Conv1d(dim * mult, dim, kernel, padding=kernel // 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _attention(dim: int, heads: int) -> Attention:
    return Attention(query_dim=dim, heads=heads, dim_head=dim // heads, bias=False, out_bias=True)


class TransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.attn1 = _attention(dim, heads)
        self.ff = Conv1dFeedForward(dim)
        self.attn2 = _attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, L, C)
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x)) + x
        return self.ff(self.norm3(x).transpose(1, 2)).transpose(1, 2) + x


class TemporalTransformer(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(32, dim, eps=1e-6)
        self.proj_in = nn.Conv1d(dim, dim, 1)
        self.transformer_blocks = nn.ModuleList([TransformerBlock(dim, heads)])
        self.proj_out = nn.Conv1d(dim, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, L)
        h = self.proj_in(self.norm(x)).transpose(1, 2)
        for block in self.transformer_blocks:
            h = block(h)
        return self.proj_out(h.transpose(1, 2)) + x


class FinalLayer(nn.Module):
    def __init__(self, dim: int, out_channels: int) -> None:
        super().__init__()
        self.norm_final = nn.GroupNorm(16, dim)
        self.conv1d = nn.Conv1d(dim, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv1d(self.norm_final(x))


class PositionEmbedding(nn.Module):
    def __init__(self, positions: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(positions, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, L, C)
        if x.shape[1] > self.weight.shape[0]:
            raise ValueError(f"{x.shape[1]} tokens exceed the {self.weight.shape[0]} learned positions")
        return x + self.weight[: x.shape[1]]


class ConcatDiT(nn.Module):
    def __init__(self, arch: DiTArch) -> None:
        super().__init__()
        self.arch = arch
        hidden = arch.hidden_size
        self.t_embedder = TimestepEmbedder(hidden)
        self.c1_embedder = ConditionEmbedder(arch.context_dim, hidden)  # CLAP tokens
        self.c2_embedder = ConditionEmbedder(arch.context_dim, hidden)  # T5 tokens
        self.proj_in = nn.Conv1d(arch.in_channels, hidden, 5, padding=2)
        self.pos_emb = PositionEmbedding(arch.max_len, hidden)
        self.blocks = nn.ModuleList(TemporalTransformer(hidden, arch.num_heads) for _ in range(arch.depth))
        self.final_layer = FinalLayer(hidden, arch.in_channels)

    @property
    def max_latent_frames(self) -> int:
        return self.arch.max_len - 1 - 2 * TEXT_TOKENS

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor, w_embedding: torch.Tensor | None = None
    ) -> torch.Tensor:
        """x (B, C, T) latents, t (B,) timesteps, context (B, 2 * 77, d) = [CLAP; T5]
        token states, w_embedding (B, 256) -> (B, C, T) noise prediction."""
        time = self.t_embedder(t, w_embedding).unsqueeze(1)
        clap, t5 = context.chunk(2, dim=1)
        text = torch.cat([self.c1_embedder(clap), self.c2_embedder(t5)], dim=1)
        h = torch.cat([time, text, self.proj_in(x).transpose(1, 2)], dim=1)
        h = self.pos_emb(h).transpose(1, 2)
        for block in self.blocks:
            h = block(h)
        return self.final_layer(h[..., 1 + text.shape[1] :])
