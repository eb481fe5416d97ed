"""Cairn's Python client (stdlib only).

Tracking that never blocks the training loop::

    import cairn
    with cairn.start_run(experiment="mnist", run_name="baseline") as run:
        run.log_params({"lr": 0.01})
        for step in range(1000):
            run.log_metric("loss", 1.0 / (step + 1), step=step)

Workspace operations::

    client = cairn.Client("http://127.0.0.1:5000")
    client.search_runs("default", ["0"], filter="metrics.loss < 0.1")
"""

from .client import Client
from .errors import CairnError
from .tracking import (
    Run,
    active_run,
    end_run,
    flush,
    init,
    log_artifact,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    set_tag,
    set_tags,
    start_run,
)

__version__ = "0.1.0"

__all__ = [
    "CairnError",
    "Client",
    "Run",
    "active_run",
    "end_run",
    "flush",
    "init",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "set_tag",
    "set_tags",
    "start_run",
]
