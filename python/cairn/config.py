"""Every environment variable the client reads, declared once with its meaning and default.

Nothing else in the package reads ``os.environ``; callers get a resolved :class:`Settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

#: Server URL, optionally with a workspace: ``http://host:5000/workspaces/team-a``.
TRACKING_URI = "MLFLOW_TRACKING_URI"
#: Run to attach to (set inside a Cairn job).
RUN_ID = "MLFLOW_RUN_ID"
#: Experiment used when none is named.
EXPERIMENT_ID = "MLFLOW_EXPERIMENT_ID"
EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME"
#: Bearer token: Cairn's scoped job token first, then MLflow's.
CAIRN_TOKEN = "CAIRN_TOKEN"
MLFLOW_TOKEN = "MLFLOW_TRACKING_TOKEN"
#: Basic auth.
USERNAME = "MLFLOW_TRACKING_USERNAME"
PASSWORD = "MLFLOW_TRACKING_PASSWORD"

DEFAULT_TRACKING_URI = "http://127.0.0.1:5000"
DEFAULT_EXPERIMENT_ID = "0"


@dataclass(frozen=True)
class Settings:
    tracking_uri: str
    token: Optional[str]
    username: Optional[str]
    password: Optional[str]
    run_id: Optional[str]
    experiment_id: Optional[str]
    experiment_name: Optional[str]


def _get(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name)
    return value if value else None


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        tracking_uri=_get(env, TRACKING_URI) or DEFAULT_TRACKING_URI,
        token=_get(env, CAIRN_TOKEN) or _get(env, MLFLOW_TOKEN),
        username=_get(env, USERNAME),
        password=_get(env, PASSWORD),
        run_id=_get(env, RUN_ID),
        experiment_id=_get(env, EXPERIMENT_ID),
        experiment_name=_get(env, EXPERIMENT_NAME),
    )
