"""Text-to-audio engines behind one protocol (see ``base``) and a registry."""

from tag.engines.base import Audio, Engine, EngineError, ProgressCallback
from tag.engines.registry import EngineSpec, available, create_engine, get_spec, load_plugins, register, resolve_name

__all__ = [
    "Audio",
    "Engine",
    "EngineError",
    "EngineSpec",
    "ProgressCallback",
    "available",
    "create_engine",
    "get_spec",
    "load_plugins",
    "register",
    "resolve_name",
]
