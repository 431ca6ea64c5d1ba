"""The decoder half of AudioLCM's 1-D KL autoencoder: latent (B, 20, T/2) -> log-mel (B, 80, T).

The reference ``autoencoder1d.Decoder1D`` and ``post_quant_conv``: mel bins are
channels and only time is convolved.  conv_in (kernel ``kernel_size``) -> mid
(resnet, single-head attention, resnet) -> levels from the deepest, each
``num_res_blocks + 1`` resnets, nearest 2x upsampling + 3-tap conv after the
levels the encoder downsampled -> GroupNorm, swish, conv_out.  The decoder's
resnets use 3-tap convolutions whatever ``kernel_size`` says: the reference
passes it to the encoder's only.  Names are the checkpoint's
(``first_stage_model.*``), so the state loads as is; the encoder is not needed to
generate and is not built.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tag.engines.audiolcm.architecture import Autoencoder1DArch


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(32, channels, eps=1e-6)


class ResnetBlock1D(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int = 3) -> None:
        super().__init__()
        self.norm1 = _norm(cin)
        self.conv1 = nn.Conv1d(cin, cout, kernel, padding=kernel // 2)
        self.norm2 = _norm(cout)
        self.conv2 = nn.Conv1d(cout, cout, kernel, padding=kernel // 2)
        self.nin_shortcut = nn.Conv1d(cin, cout, 1) if cin != cout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.nin_shortcut is None else self.nin_shortcut(x)) + h


class AttnBlock1D(nn.Module):
    """Single-head self-attention over time with 1x1-conv projections."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = _norm(channels)
        self.q = nn.Conv1d(channels, channels, 1)
        self.k = nn.Conv1d(channels, channels, 1)
        self.v = nn.Conv1d(channels, channels, 1)
        self.proj_out = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(x)
        q, k, v = (proj(h).transpose(1, 2) for proj in (self.q, self.k, self.v))
        out = F.scaled_dot_product_attention(q, k, v)  # scale 1/sqrt(channels), as the reference
        return x + self.proj_out(out.transpose(1, 2))


class Upsample1D(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Decoder1D(nn.Module):
    def __init__(self, arch: Autoencoder1DArch) -> None:
        super().__init__()
        self.arch = arch
        levels = len(arch.ch_mult)
        width = arch.ch * arch.ch_mult[-1]
        k = arch.kernel_size
        self.conv_in = nn.Conv1d(arch.z_channels, width, k, padding=k // 2)
        self.mid = nn.Module()
        self.mid.block_1 = ResnetBlock1D(width, width)
        self.mid.attn_1 = AttnBlock1D(width)
        self.mid.block_2 = ResnetBlock1D(width, width)
        # The reference upsamples after level i + 1 for every encoder level i that downsampled.
        self.upsampled_levels = {i + 1 for i in arch.down_layers}
        ups: list[nn.Module] = []
        for level in reversed(range(levels)):
            up = nn.Module()
            out = arch.ch * arch.ch_mult[level]
            up.block = nn.ModuleList()
            up.attn = nn.ModuleList()
            for _ in range(arch.num_res_blocks + 1):
                up.block.append(ResnetBlock1D(width, out))
                width = out
                if level in arch.attn_layers:
                    up.attn.append(AttnBlock1D(width))
            if level in self.upsampled_levels:
                up.upsample = Upsample1D(width)
            ups.insert(0, up)
        self.up = nn.ModuleList(ups)
        self.norm_out = _norm(width)
        self.conv_out = nn.Conv1d(width, arch.out_ch, k, padding=k // 2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(z)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        for level in reversed(range(len(self.up))):
            up = self.up[level]
            for i, block in enumerate(up.block):
                h = block(h)
                if len(up.attn):
                    h = up.attn[i](h)
            if level in self.upsampled_levels:
                h = up.upsample(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class MelDecoder(nn.Module):
    """``post_quant_conv`` then the decoder: the reference ``decode(z)``."""

    def __init__(self, arch: Autoencoder1DArch) -> None:
        super().__init__()
        self.post_quant_conv = nn.Conv1d(arch.embed_dim, arch.z_channels, 1)
        self.decoder = Decoder1D(arch)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(z))
