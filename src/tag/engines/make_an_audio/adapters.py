"""Serving fine-tuned adapters on the pipeline's UNet, one request at a time.

LoRA adapters are injected into the one UNet (peft) and kept loaded (the last
``LORA_CACHE`` used); a request activates its own and every other request runs
with the adapter layers disabled, which computes exactly the base UNet.  A fully
fine-tuned UNet is a second network: the last one used is kept and swapped into the
pipeline for its requests only.  Callers hold the engine's lock around ``using``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

import torch

from tag.engines.adapters import AdapterError, AdapterMeta
from tag.engines.make_an_audio.architecture import UNetArch, unet_config
from tag.engines.make_an_audio.layout import ENGINE_NAME

log = logging.getLogger(__name__)

LORA_CACHE = 4
FULL_CACHE = 1  # a full UNet is as big as the base one


def _fingerprint(folder: Path, meta: AdapterMeta) -> tuple[str, int, int]:
    """Changes when the adapter's weights are replaced (a new run copied over)."""
    stat = (folder / meta.weights_name).stat()
    return (str(folder.resolve()), stat.st_size, stat.st_mtime_ns)


def check_compatible(meta: AdapterMeta, arch: UNetArch, folder: Path) -> None:
    if meta.base_engine != ENGINE_NAME:
        raise AdapterError(f"the adapter {folder.name!r} was trained for {meta.base_engine!r}, not {ENGINE_NAME!r}")
    ours = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(arch).items()}
    theirs = {k: list(v) if isinstance(v, tuple) else v for k, v in meta.unet.items()}
    if ours != theirs:
        different = sorted(k for k in ours if ours.get(k) != theirs.get(k))
        raise AdapterError(
            f"the adapter {folder.name!r} was trained on another Make-An-Audio UNet "
            f"(different {', '.join(different)}); fine-tune again on this model"
        )


class UNetAdapters:
    """The adapters loaded onto one pipeline's UNet."""

    def __init__(self, components: Any) -> None:
        self.c = components  # the pipeline's Components: ``unet`` is swapped for full fine-tunes
        self.base = components.unet
        self._peft: Any = None  # peft.PeftModel around ``base``, once a LoRA adapter is loaded
        self._lora: OrderedDict[tuple[str, int, int], str] = OrderedDict()
        self._full: OrderedDict[tuple[str, int, int], Any] = OrderedDict()
        self._count = 0

    @contextmanager
    def using(self, folder: Path | None) -> Iterator[None]:
        """The pipeline's UNet with the adapter in ``folder`` (None: the base UNet)."""
        if folder is None:
            self._disable()
            yield
            return
        meta = AdapterMeta.read(folder)
        check_compatible(meta, self.c.arch.unet, folder)
        if meta.kind == "full":
            unet = self._full_unet(folder, meta)
            self._disable()
            self.c.unet = unet
            try:
                yield
            finally:
                self.c.unet = self.base
            return
        name = self._lora_adapter(folder, meta)
        self._peft.set_adapter(name)
        self._peft.base_model.enable_adapter_layers()
        try:
            yield
        finally:
            self._disable()

    def _disable(self) -> None:
        self.c.unet = self.base
        if self._peft is not None:
            self._peft.base_model.disable_adapter_layers()

    def _refuse_quantized(self) -> None:
        from torch.ao.nn.quantized import dynamic

        if any(isinstance(m, dynamic.Linear) for m in self.base.modules()):
            raise AdapterError("adapters need the UNet's float weights; unset TAG_QUANTIZE=int8 to serve adapters")

    def _lora_adapter(self, folder: Path, meta: AdapterMeta) -> str:
        from peft import PeftModel

        key = _fingerprint(folder, meta)
        if key in self._lora:
            self._lora.move_to_end(key)
            return self._lora[key]
        self._refuse_quantized()
        self._count += 1
        name = f"a{self._count}"
        try:
            if self._peft is None:
                self._peft = PeftModel.from_pretrained(self.base, str(folder), adapter_name=name, is_trainable=False)
            else:
                self._peft.load_adapter(str(folder), adapter_name=name, is_trainable=False)
        except (ValueError, KeyError, RuntimeError, OSError) as exc:
            raise AdapterError(f"the adapter {folder.name!r} does not load: {exc}") from None
        self._lora[key] = name
        log.info("adapter %s loaded from %s", name, folder)
        while len(self._lora) > LORA_CACHE:
            _, old = self._lora.popitem(last=False)
            self._peft.delete_adapter(old)
        return name

    def _full_unet(self, folder: Path, meta: AdapterMeta) -> Any:
        from diffusers import UNet2DConditionModel
        from safetensors.torch import load_file

        key = _fingerprint(folder, meta)
        if key in self._full:
            self._full.move_to_end(key)
            return self._full[key]
        with torch.device("meta"):
            unet = UNet2DConditionModel(**unet_config(self.c.arch.unet))
        try:
            unet.load_state_dict(load_file(str(folder / meta.weights_name)), strict=True, assign=True)
        except (RuntimeError, OSError) as exc:
            raise AdapterError(f"the fine-tuned UNet in {folder.name!r} does not load: {exc}") from None
        reference = next(self.base.parameters())
        unet = unet.to(reference.device, reference.dtype).eval().requires_grad_(False)
        self._full[key] = unet
        while len(self._full) > FULL_CACHE:
            self._full.popitem(last=False)
        return unet
