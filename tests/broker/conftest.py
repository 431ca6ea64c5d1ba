from support.fixtures import memory, rabbit  # noqa: F401  (fixtures; tests/ is on sys.path)
