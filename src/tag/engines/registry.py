"""Engines by name, and the ``auto`` choice.

Engines register an ``EngineSpec``; heavy imports (torch, diffusers) happen only
in ``factory``, so listing engines is instant and works without the ML extras.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from tag.engines.base import Engine, EngineError
from tag.messages import LimitError, check_duration

# The generation options a front end may set; each engine declares which it uses.
OPTIONS = ("seed", "steps", "guidance", "candidates", "stereo")
SERVICE_LIMIT_VARIABLE = "TAG_MAX_DURATION"

if TYPE_CHECKING:
    from tag.config import Settings


@dataclass(frozen=True)
class EngineSpec:
    name: str
    description: str
    factory: Callable[["Settings"], Engine]
    # True when the engine can run now (weights present, dependencies installed).
    is_available: Callable[["Settings"], bool] = lambda settings: True
    # Fetch weights into settings.model_dir; None for engines without weights.
    download: Callable[["Settings"], None] | None = None
    # Higher wins for ``auto``.
    priority: int = 0
    max_duration: float = 600.0
    defaults: dict[str, object] = field(default_factory=dict)
    # For ``tag models list``: output rate in Hz (None = varies) and the weights' licence.
    sample_rate: int | None = None
    licence: str | None = None
    # The options of ``OPTIONS`` this engine honours; the others are reported as ignored.
    options: frozenset[str] = frozenset(OPTIONS)

    def ignored(self, **values: object) -> list[str]:
        """Names of the options given (not None/False) that this engine does not use."""
        return [name for name in OPTIONS if values.get(name) not in (None, False) and name not in self.options]

    def weights_location(self, settings: "Settings") -> str:
        return str(settings.model_dir / self.name) if self.download else "(no weights needed)"

    def weights_size(self, settings: "Settings") -> int | None:
        """Bytes of weights on disk in ``model_dir/<name>``; None for engines without weights."""
        if self.download is None:
            return None
        folder = settings.model_dir / self.name
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


_SPECS: dict[str, EngineSpec] = {}
_BUILTINS_LOADED = False


def register(spec: EngineSpec) -> EngineSpec:
    _SPECS[spec.name] = spec
    return spec


def _load_builtins() -> None:
    # Importing an engine package registers it; done lazily to avoid import cycles.
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    import importlib

    for module in ("tag.engines.synth", "tag.engines.make_an_audio", "tag.engines.audiolcm", "tag.engines.peers"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith(module):
                raise


def load_plugins(modules: list[str]) -> None:
    """Import modules that register extra engines (``TAG_ENGINE_PLUGINS``)."""
    import importlib

    for module in modules:
        importlib.import_module(module)


def available() -> list[EngineSpec]:
    _load_builtins()
    return sorted(_SPECS.values(), key=lambda s: (-s.priority, s.name))


def get_spec(name: str) -> EngineSpec:
    _load_builtins()
    try:
        return _SPECS[name]
    except KeyError:
        known = ", ".join(sorted(_SPECS)) or "none"
        raise EngineError(f"unknown engine {name!r}; known engines: {known}", code="unknown_engine") from None


def resolve_name(name: str, settings: "Settings") -> str:
    """``auto`` -> the best engine whose weights are present; other names unchanged."""
    if name != "auto":
        get_spec(name)
        return name
    for spec in available():
        if spec.is_available(settings):
            return spec.name
    raise EngineError("no engine is available", code="no_engine")


def ignored_notice(engine: str, ignored: list[str], flag: str = "") -> str:
    """The note a front end shows for options the engine does not use."""
    return f"{engine} ignores " + ", ".join(flag + name for name in ignored)


def check_engine_duration(duration: object, service_max: float, engine: str | None = None) -> float:
    """The duration checked against the service limit and, when an engine is named,
    that engine's own limit: the one check every front end and the worker make.

    ``engine`` None or "auto" means the engine is not known yet (the worker that
    takes the request checks its own).  The error names both limits and the variable
    that raises the service limit.
    """
    spec = get_spec(engine) if engine not in (None, "", "auto") else None
    limit = service_max if spec is None else max_duration_on(spec, service_max)
    try:
        return check_duration(duration, limit)
    except LimitError as exc:
        if not _above(duration, limit):
            raise
        raise LimitError(f"{exc} ({_limit_reason(service_max, spec)})") from None


def max_duration_on(spec: EngineSpec, service_max: float) -> float:
    """The longest sound ``spec`` may be asked for on this service."""
    return min(service_max, spec.max_duration)


def _above(duration: object, limit: float) -> bool:
    try:
        return not isinstance(duration, bool) and float(duration) > limit  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _limit_reason(service_max: float, spec: EngineSpec | None) -> str:
    raises = f"{SERVICE_LIMIT_VARIABLE} raises it"
    if spec is None:
        return f"this service's limit; {raises}"
    if spec.max_duration > service_max:
        return f"this service's limit; {raises} up to {spec.name}'s {spec.max_duration:g} s"
    if spec.max_duration < service_max:
        return f"{spec.name}'s own limit; this service allows up to {service_max:g} s"
    return f"both this service's limit and {spec.name}'s own"


def create_engine(name: str, settings: "Settings") -> Engine:
    spec = get_spec(resolve_name(name, settings))
    if not spec.is_available(settings):
        raise EngineError(
            f"engine {spec.name!r} is not available: its weights are not in "
            f"{spec.weights_location(settings)}; run `tag models download {spec.name}`",
            code="engine_unavailable",
        )
    return spec.factory(settings)
