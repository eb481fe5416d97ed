"""Runs: create or attach, log without blocking, upload artifacts, end.

``log_metric`` & co. validate cheaply and append to the run's queue; the run's :class:`Sender`
thread sends ``runs/log-batch`` requests. Everything queued is flushed by ``flush()``, ``end()``
and, for runs still open, at interpreter exit.
"""

from __future__ import annotations

import atexit
import getpass
import json
import logging
import mimetypes
import os
import sys
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from . import config
from ._names import check_name, check_param_value
from ._sender import MAX_METRICS, Sender
from ._transport import Transport, quote_path
from .errors import CairnError

log = logging.getLogger("cairn")

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
TERMINAL_STATUSES = ("FINISHED", "FAILED", "KILLED")

_lock = threading.RLock()
_active: List["Run"] = []  # stack of runs started through start_run/init; the last is active
_open: Dict[str, "Run"] = {}  # every run not yet ended, flushed at interpreter exit
_transports: Dict[Tuple[Any, ...], Transport] = {}
_atexit_registered = False


def _transport_for(uri: Optional[str], token: Optional[str] = None) -> Transport:
    s = config.load_settings()
    uri = uri or s.tracking_uri
    token = token or s.token
    key = (uri, token, s.username, s.password)
    with _lock:
        t = _transports.get(key)
        if t is None:
            t = Transport(uri, token=token, username=s.username, password=s.password)
            _transports[key] = t
        return t


class Run:
    """One tracked run. Create it with :func:`start_run` or :func:`init`, not directly."""

    def __init__(
        self,
        transport: Transport,
        info: Dict[str, Any],
        *,
        owned: bool,
        flush_interval: float = 0.5,
    ) -> None:
        self.transport = transport
        self.info = info
        self.run_id: str = info.get("run_id") or info["run_uuid"]
        self.experiment_id: str = str(info.get("experiment_id", ""))
        self.run_name: Optional[str] = info.get("run_name")
        self.artifact_uri: str = info.get("artifact_uri", "")
        #: False when attached to a run someone else created (a Cairn job): exit only flushes it.
        self.owned = owned
        self._sender = Sender(transport, self.run_id, flush_interval)
        self._queue = self._sender.queue
        self._wake = self._sender.wake
        self._known_names: set = set()
        self._ended = False

    def __repr__(self) -> str:
        return f"<cairn.Run {self.run_id} experiment={self.experiment_id} name={self.run_name!r}>"

    # -- logging (non-blocking) ---------------------------------------------------------------

    def log_metric(
        self,
        key: str,
        value: float,
        step: Optional[int] = None,
        timestamp: Optional[int] = None,
    ) -> None:
        """Queues one metric value; returns in microseconds. ``timestamp`` is in ms since epoch."""
        if self._ended:
            self._raise_ended()
        if key not in self._known_names:
            check_name(key, "metric")
            self._known_names.add(key)
        q = self._queue
        q.append((
            "m",
            key,
            float(value),
            int(time.time() * 1000) if timestamp is None else int(timestamp),
            0 if step is None else int(step),
        ))
        if len(q) >= MAX_METRICS and not self._wake.is_set():
            self._wake.set()

    def log_metrics(
        self, metrics: Mapping[str, float], step: Optional[int] = None, timestamp: Optional[int] = None
    ) -> None:
        ts = int(time.time() * 1000) if timestamp is None else int(timestamp)
        for key, value in metrics.items():
            self.log_metric(key, value, step, ts)

    def log_param(self, key: str, value: Any) -> None:
        if self._ended:
            self._raise_ended()
        check_name(key, "param")
        value = str(value)
        check_param_value(key, value)
        self._queue.append(("p", key, value))

    def log_params(self, params: Mapping[str, Any]) -> None:
        for key, value in params.items():
            self.log_param(key, value)

    def set_tag(self, key: str, value: Any) -> None:
        if self._ended:
            self._raise_ended()
        check_name(key, "tag")
        self._queue.append(("t", key, str(value)))

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        for key, value in tags.items():
            self.set_tag(key, value)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Waits until everything logged so far reached the server; raises the first
        :class:`CairnError` the server answered with since the last flush."""
        self._sender.flush(timeout)

    # -- artifacts (synchronous) -------------------------------------------------------------

    def log_artifact(self, local_path: str, artifact_path: Optional[str] = None) -> None:
        """Uploads a file (or a folder, as ``<artifact_path>/<folder name>/...``)."""
        local_path = os.fspath(local_path)
        if os.path.isdir(local_path):
            name = os.path.basename(os.path.normpath(local_path))
            dest = f"{artifact_path.strip('/')}/{name}" if artifact_path else name
            self.log_artifacts(local_path, dest)
            return
        if not os.path.isfile(local_path):
            raise CairnError("INVALID_ARGUMENT", f"No such file to log as an artifact: {local_path}")
        name = os.path.basename(local_path)
        dest = f"{artifact_path.strip('/')}/{name}" if artifact_path else name
        self._put_file(local_path, dest)

    def log_artifacts(self, local_dir: str, artifact_path: Optional[str] = None) -> None:
        """Uploads the contents of a folder under ``artifact_path``."""
        local_dir = os.fspath(local_dir)
        if not os.path.isdir(local_dir):
            raise CairnError("INVALID_ARGUMENT", f"No such folder to log as artifacts: {local_dir}")
        for root, _dirs, files in os.walk(local_dir):
            rel_root = os.path.relpath(root, local_dir)
            for f in sorted(files):
                rel = f if rel_root == "." else f"{rel_root}/{f}".replace(os.sep, "/")
                dest = f"{artifact_path.strip('/')}/{rel}" if artifact_path else rel
                self._put_file(os.path.join(root, f), dest)

    def log_text(self, text: str, artifact_file: str) -> None:
        self._put_bytes(text.encode("utf-8"), artifact_file, "text/plain; charset=utf-8")

    def log_dict(self, dictionary: Any, artifact_file: str) -> None:
        """Writes ``dictionary`` as JSON (which is also valid YAML, for ``.yaml``/``.yml`` names)."""
        data = json.dumps(dictionary, indent=2, sort_keys=False, default=str).encode("utf-8")
        ctype = "application/json" if artifact_file.endswith(".json") else "text/plain"
        self._put_bytes(data, artifact_file, ctype)

    def _artifact_url_path(self, artifact_file: str) -> str:
        return artifact_base_path(self.artifact_uri, self.transport) + "/" + quote_path(artifact_file)

    def _put_file(self, local_path: str, artifact_file: str) -> None:
        ctype = mimetypes.guess_type(local_path)[0] or "application/octet-stream"
        size = os.path.getsize(local_path)
        with open(local_path, "rb") as f:
            self.transport.request_raw(
                "PUT",
                self._artifact_url_path(artifact_file),
                body=f,
                headers={"Content-Type": ctype, "Content-Length": str(size)},
            )

    def _put_bytes(self, data: bytes, artifact_file: str, ctype: str) -> None:
        self.transport.request_raw(
            "PUT",
            self._artifact_url_path(artifact_file),
            body=data,
            headers={"Content-Type": ctype, "Content-Length": str(len(data))},
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def end(self, status: str = "FINISHED") -> None:
        """Flushes, marks the run ``status`` (FINISHED, FAILED or KILLED) and stops its sender.
        Raises the first server error from the flush, after the status was recorded."""
        if status not in TERMINAL_STATUSES:
            raise CairnError(
                "INVALID_ARGUMENT", f"status must be one of {', '.join(TERMINAL_STATUSES)}; got {status!r}"
            )
        if self._ended:
            return
        flush_error: Optional[CairnError] = None
        try:
            self._sender.close()
        except CairnError as err:
            flush_error = err
        self._ended = True
        _forget(self)
        self.transport.call(
            "POST",
            f"{API}/runs/update",
            {"run_id": self.run_id, "run_uuid": self.run_id, "status": status,
             "end_time": int(time.time() * 1000)},
        )
        if flush_error is not None:
            raise flush_error

    def _detach(self) -> None:
        """At exit, for a run this process did not create: flush, leave its status to its owner."""
        if self._ended:
            return
        try:
            self._sender.close()
        finally:
            self._ended = True
            _forget(self)

    def _raise_ended(self) -> None:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"Run {self.run_id} has ended; start a new one with cairn.start_run() to keep logging",
        )

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.end("FINISHED")
            return
        status = "KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED"
        try:
            self.end(status)
        except CairnError as err:  # do not mask the exception that ended the block
            log.error("cairn: while ending run %s after %s: %s", self.run_id, exc_type.__name__, err)


def artifact_base_path(artifact_uri: str, transport: Transport) -> str:
    """The proxy path (relative to the tracking URI) under which a run's artifacts live."""
    if artifact_uri.startswith("mlflow-artifacts:"):
        rest = artifact_uri[len("mlflow-artifacts:"):]
        if rest.startswith("//"):
            rest = urlsplit(artifact_uri).path
        return f"{ARTIFACTS_API}/{quote_path(rest)}"
    parts = urlsplit(artifact_uri)
    if parts.scheme in ("http", "https") and parts.hostname == transport.host:
        path = parts.path
        if path.startswith(transport.prefix):
            path = path[len(transport.prefix):]
        return path.rstrip("/")
    raise CairnError(
        "NOT_IMPLEMENTED",
        f"The run's artifact_uri {artifact_uri!r} is not served through the tracking server; "
        "cairn uploads only through the artifact proxy (mlflow-artifacts:/...). For mlflow, start "
        "the server with --serve-artifacts and no --default-artifact-root pointing elsewhere.",
    )


# -- starting runs ---------------------------------------------------------------------------


def _default_tags(run_name: Optional[str], parent: Optional[Run]) -> Dict[str, str]:
    tags: Dict[str, str] = {"mlflow.source.type": "LOCAL"}
    try:
        tags["mlflow.user"] = getpass.getuser()
    except Exception:
        pass
    if sys.argv and sys.argv[0]:
        tags["mlflow.source.name"] = os.path.basename(sys.argv[0])
    if run_name:
        tags["mlflow.runName"] = run_name
    if parent is not None:
        tags["mlflow.parentRunId"] = parent.run_id
    return tags


def resolve_experiment_id(transport: Transport, name: str) -> str:
    """The id of experiment ``name``, created when missing (tolerating a concurrent create)."""
    try:
        r = transport.call("GET", f"{API}/experiments/get-by-name", query={"experiment_name": name})
        return str(r["experiment"]["experiment_id"])
    except CairnError as err:
        if err.code not in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"):
            raise
    try:
        r = transport.call("POST", f"{API}/experiments/create", {"name": name})
        return str(r["experiment_id"])
    except CairnError as err:
        if err.code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
            raise
    r = transport.call("GET", f"{API}/experiments/get-by-name", query={"experiment_name": name})
    return str(r["experiment"]["experiment_id"])


def start_run(
    experiment: Optional[str] = None,
    run_name: Optional[str] = None,
    nested: bool = False,
    *,
    tracking_uri: Optional[str] = None,
    experiment_id: Optional[str] = None,
    run_id: Optional[str] = None,
    tags: Optional[Mapping[str, Any]] = None,
    token: Optional[str] = None,
    flush_interval: float = 0.5,
) -> Run:
    """Starts a run (or attaches to one) and makes it the active run.

    - ``run_id`` given, or ``MLFLOW_RUN_ID`` set (inside a Cairn job) and no run active: attach to it.
    - otherwise create a run in ``experiment`` (a name, created if missing) or ``experiment_id``,
      defaulting to ``MLFLOW_EXPERIMENT_ID`` / ``MLFLOW_EXPERIMENT_NAME`` / the default experiment.
    - ``nested=True`` makes the new run a child of the active one (tag ``mlflow.parentRunId``).

    Use it as a context manager to end the run (FAILED on an exception) when the block exits.
    """
    settings = config.load_settings()
    with _lock:
        parent = _active[-1] if _active else None
    if parent is not None and not nested:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"Run {parent.run_id} is already active. End it with run.end() first, or pass "
            "nested=True to start a child run.",
        )
    transport = parent.transport if parent is not None and tracking_uri is None and token is None \
        else _transport_for(tracking_uri, token)

    attach_id = run_id or (settings.run_id if parent is None and experiment is None
                           and experiment_id is None else None)
    if attach_id:
        r = transport.call("GET", f"{API}/runs/get", query={"run_id": attach_id})
        info = r["run"]["info"]
        if info.get("status") != "RUNNING":
            transport.call("POST", f"{API}/runs/update",
                           {"run_id": attach_id, "run_uuid": attach_id, "status": "RUNNING"})
        run = Run(transport, info, owned=run_id is not None, flush_interval=flush_interval)
        if tags:
            run.set_tags(tags)
    else:
        if experiment_id is None:
            if experiment is not None:
                experiment_id = resolve_experiment_id(transport, experiment)
            elif parent is not None:
                experiment_id = parent.experiment_id
            elif settings.experiment_id:
                experiment_id = settings.experiment_id
            elif settings.experiment_name:
                experiment_id = resolve_experiment_id(transport, settings.experiment_name)
            else:
                experiment_id = config.DEFAULT_EXPERIMENT_ID
        all_tags = _default_tags(run_name, parent)
        all_tags.update({k: str(v) for k, v in (tags or {}).items()})
        body: Dict[str, Any] = {
            "experiment_id": str(experiment_id),
            "start_time": int(time.time() * 1000),
            "tags": [{"key": k, "value": v} for k, v in all_tags.items()],
        }
        if "mlflow.user" in all_tags:
            body["user_id"] = all_tags["mlflow.user"]
        if run_name:
            body["run_name"] = run_name
        r = transport.call("POST", f"{API}/runs/create", body)
        run = Run(transport, r["run"]["info"], owned=True, flush_interval=flush_interval)
    _remember(run)
    return run


def init(
    tracking_uri: Optional[str] = None,
    experiment: Optional[str] = None,
    run_name: Optional[str] = None,
    **kwargs: Any,
) -> Run:
    """``start_run`` with the tracking URI first, for scripts that never use ``with``."""
    return start_run(experiment, run_name, tracking_uri=tracking_uri, **kwargs)


def active_run() -> Optional[Run]:
    with _lock:
        return _active[-1] if _active else None


def _current() -> Run:
    run = active_run()
    return run if run is not None else start_run()


def log_metric(key: str, value: float, step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
    _current().log_metric(key, value, step, timestamp)


def log_metrics(metrics: Mapping[str, float], step: Optional[int] = None) -> None:
    _current().log_metrics(metrics, step)


def log_param(key: str, value: Any) -> None:
    _current().log_param(key, value)


def log_params(params: Mapping[str, Any]) -> None:
    _current().log_params(params)


def set_tag(key: str, value: Any) -> None:
    _current().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    _current().set_tags(tags)


def log_artifact(local_path: str, artifact_path: Optional[str] = None) -> None:
    _current().log_artifact(local_path, artifact_path)


def flush(timeout: Optional[float] = None) -> None:
    """Flushes every open run."""
    with _lock:
        runs = list(_open.values())
    for run in runs:
        run.flush(timeout)


def end_run(status: str = "FINISHED") -> None:
    run = active_run()
    if run is not None:
        run.end(status)


# -- bookkeeping and exit --------------------------------------------------------------------


def _remember(run: Run) -> None:
    global _atexit_registered
    with _lock:
        _active.append(run)
        _open[run.run_id + f"@{id(run)}"] = run
        if not _atexit_registered:
            atexit.register(_at_exit)
            _atexit_registered = True


def _forget(run: Run) -> None:
    with _lock:
        if run in _active:
            _active.remove(run)
        _open.pop(run.run_id + f"@{id(run)}", None)


def _at_exit() -> None:
    # An unhandled exception leaves sys.last_value behind (Python < 3.12: sys.last_type).
    crashed = getattr(sys, "last_value", None) is not None or getattr(sys, "last_type", None) is not None
    with _lock:
        runs = list(_open.values())
    for run in reversed(runs):  # children before parents
        try:
            if run.owned:
                run.end("FAILED" if crashed else "FINISHED")
            else:
                run._detach()
        except Exception as err:
            log.error("cairn: at exit, run %s: %s", run.run_id, err)
