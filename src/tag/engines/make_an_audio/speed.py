"""What makes inference fast on the hardware at hand, chosen once at load time.

- threads: as many as the cores this process may really use (its CPU affinity,
  bounded by a container's CPU quota), not the host's core count, which would
  oversubscribe a container limited to two of sixty-four cores;
- compute precision: bfloat16 autocast where the device computes it natively
  (CPUs with AVX512-BF16 or AMX, CUDA GPUs from compute capability 8), float32
  elsewhere; weights stay float32, and autocast keeps normalisations and
  reductions in float32, so the result moves by float rounding only (about 1 %
  relative on a UNet output, measured in bench/bench_make_an_audio.py);
- int8: optional dynamic quantisation of the UNet's and text tower's linear layers
  (attention projections and feed-forwards, about half the UNet's weights), for
  CPUs without bfloat16.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from pathlib import Path
from typing import Iterator, Literal

import torch

log = logging.getLogger(__name__)

ComputeDtype = Literal["auto", "float32", "bfloat16"]
Quantize = Literal["none", "int8"]
_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo: str) -> set[str]:
    """The feature flags of the first processor in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def cpu_has_native_bf16(cpuinfo_path: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        flags = cpu_flags(cpuinfo_path.read_text(errors="replace"))
    except OSError:
        return False
    return any(flag in flags for flag in _BF16_CPU_FLAGS)


def native_bf16(device: torch.device) -> bool:
    if device.type == "cpu":
        return cpu_has_native_bf16()
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.get_device_capability(device)[0] >= 8
    return False


def compute_dtype(setting: ComputeDtype, device: torch.device) -> torch.dtype:
    """The autocast dtype for ``setting`` on ``device`` (float32 = no autocast)."""
    if setting == "bfloat16" or (setting == "auto" and native_bf16(device)):
        if setting == "bfloat16" and not native_bf16(device):
            log.warning("bfloat16 requested on %s, which has no native bfloat16: expect it to be slow", device)
        return torch.bfloat16
    return torch.float32


@contextlib.contextmanager
def autocast(device: torch.device, dtype: torch.dtype) -> Iterator[None]:
    """Autocast to ``dtype`` on ``device``; nothing for float32 or weights already in half precision."""
    if dtype == torch.float32:
        yield
        return
    with torch.autocast(device.type, dtype=dtype):
        yield


def quantize_linears(module: torch.nn.Module) -> torch.nn.Module:
    """Int8 dynamic quantisation of every ``nn.Linear`` in ``module`` (CPU only):
    weights stored int8 per tensor, activations quantised on the fly."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():  # eager-mode quantisation's deprecation notices
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        return quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def cgroup_cpu_limit(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> float | None:
    """CPUs allowed by a cgroup v2 quota ("200000 100000" = 2.0); None when unlimited or unknown."""
    try:
        quota, _, period = cpu_max.read_text().strip().partition(" ")
    except OSError:
        return None
    if quota == "max" or not period:
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def available_cores(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    limit = cgroup_cpu_limit(cpu_max)
    if limit is not None:
        cores = min(cores, max(1, math.ceil(limit)))
    return max(1, cores)


def set_threads(threads: int | None) -> int:
    """Use ``threads`` (or the available cores) for torch's intra-op pool, unless
    the operator pinned it with OMP_NUM_THREADS; returns the count in use."""
    if threads is None and os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads()
    wanted = threads or available_cores()
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted
