"""Operations: Prometheus metrics (``metrics``), the /metrics /healthz /readyz
endpoint (``server``) and request-scoped structured logs (``logging``).

Import the submodules directly; this package imports nothing so that every
command's logging set-up stays cheap.
"""
