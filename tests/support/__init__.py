"""Test-only helpers: engines with scripted behaviour, worker processes, collectors."""
