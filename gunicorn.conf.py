"""gunicorn's settings for Outreach: gunicorn reads this file from the directory it starts in.
The command line (README) still names the workers and the address."""

import gc


def post_worker_init(_worker) -> None:
    """Leave what the app keeps for its whole life (modules, templates, mappers, translations)
    out of the garbage collector's rounds: collecting a request's short-lived objects then no
    longer walks the 160,000 objects each time (docs/performance.md)."""
    gc.freeze()


def child_exit(_server, worker) -> None:
    """A worker that ends leaves its request counts to /metrics no longer (prometheus-client's
    multiprocess mode, when PROMETHEUS_MULTIPROC_DIR is set)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
