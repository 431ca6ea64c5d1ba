"""GeneratorService workers: consume requests, run an engine, publish responses."""

from tag.worker.main import load_engine, run_worker, serve_worker
from tag.worker.service import GeneratorService

__all__ = ["GeneratorService", "load_engine", "run_worker", "serve_worker"]
