"""Workspace operations: workspaces, experiments, runs, metric histories, artifacts, data assets.

Workspaces go through Cairn's native API (``/api/v1/workspaces``; MLflow 3's ``/mlflow/workspaces``
as a fallback). Everything else goes through the MLflow REST API, which every Cairn server and every
``mlflow server`` speaks; a workspace other than the default is addressed by the path prefix
``/workspaces/<name>``. Results are plain dicts in MLflow's JSON shape (snake_case), with
non-finite metric values turned back into floats.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence

from . import config
from ._data_api import DataMethods
from ._transport import Transport, quote_path
from .errors import CairnError
from .tracking import API, artifact_base_path

NATIVE = "/api/v1"
DEFAULT_WORKSPACE = "default"
_WS_SUFFIX = re.compile(r"/workspaces/([^/]+)/?$")


def _num(v: Any) -> Any:
    if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity"):
        return float(v)
    return v


def _fix_metrics(metrics: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    for m in metrics:
        if "value" in m:
            m["value"] = _num(m["value"])
    return metrics


def _fix_run(run: Dict[str, Any]) -> Dict[str, Any]:
    data = run.setdefault("data", {})
    _fix_metrics(data.setdefault("metrics", []))
    data.setdefault("params", [])
    data.setdefault("tags", [])
    return run


def _missing_route(err: CairnError) -> bool:
    return err.code in ("ENDPOINT_NOT_FOUND",) or (err.status in (404, 405, 501) and err.code in (
        "ENDPOINT_NOT_FOUND", "HTTP_ERROR", "NOT_IMPLEMENTED", "FEATURE_DISABLED"))


class Client(DataMethods):
    """``Client("http://host:5000", token=...)``. ``token`` defaults to ``CAIRN_TOKEN`` /
    ``MLFLOW_TRACKING_TOKEN``; basic auth comes from ``MLFLOW_TRACKING_USERNAME/PASSWORD``.

    Data assets (``list_data``, ``upload_data``, ``download_data``, ...) come from
    :class:`cairn._data_api.DataMethods`."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None) -> None:
        s = config.load_settings()
        url = (url or s.tracking_uri).rstrip("/")
        m = _WS_SUFFIX.search(url)
        # A URL naming a workspace sets the default for calls that do not name one.
        self.default_workspace = m.group(1) if m else None
        base = url[: m.start()] if m else url
        self._root = Transport(
            base, token=token or s.token, username=s.username, password=s.password
        )
        self._scoped: Dict[str, Transport] = {}

    def _ws(self, workspace: Optional[str]) -> Transport:
        ws = workspace or self.default_workspace
        if not ws or ws == DEFAULT_WORKSPACE:
            return self._root
        t = self._scoped.get(ws)
        if t is None:
            t = self._scoped[ws] = self._root.with_prefix("/workspaces/" + quote_path(ws))
        return t

    # -- workspaces -------------------------------------------------------------------------

    def list_workspaces(self) -> List[Dict[str, Any]]:
        try:
            r = self._root.call("GET", f"{NATIVE}/workspaces")
        except CairnError as err:
            if not _missing_route(err):
                raise
            r = self._root.call("GET", f"{API}/workspaces")
        return list(r.get("workspaces", r.get("items", [])))

    def create_workspace(self, name: str, description: str = "") -> Dict[str, Any]:
        body = {"name": name, "description": description}
        try:
            r = self._root.call("POST", f"{NATIVE}/workspaces", body)
        except CairnError as err:
            if not _missing_route(err):
                raise
            r = self._root.call("POST", f"{API}/workspaces", body)
        return r.get("workspace", r) if isinstance(r, dict) else r

    # -- experiments and runs ---------------------------------------------------------------

    def list_experiments(self, workspace: Optional[str] = None) -> List[Dict[str, Any]]:
        t = self._ws(workspace)
        out: List[Dict[str, Any]] = []
        token: Optional[str] = None
        while True:
            body: Dict[str, Any] = {"max_results": 1000, "view_type": "ACTIVE_ONLY"}
            if token:
                body["page_token"] = token
            r = t.call("POST", f"{API}/experiments/search", body)
            out.extend(r.get("experiments", []))
            token = r.get("next_page_token")
            if not token:
                return out

    def get_experiment_by_name(self, name: str, workspace: Optional[str] = None) -> Optional[Dict[str, Any]]:
        try:
            r = self._ws(workspace).call(
                "GET", f"{API}/experiments/get-by-name", query={"experiment_name": name}
            )
        except CairnError as err:
            if err.code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"):
                return None
            raise
        return r["experiment"]

    def search_runs(
        self,
        workspace: Optional[str],
        experiment_ids: Sequence[str],
        filter: str = "",
        order_by: Sequence[str] = (),
        max_results: int = 100,
    ) -> List[Dict[str, Any]]:
        t = self._ws(workspace)
        out: List[Dict[str, Any]] = []
        token: Optional[str] = None
        while len(out) < max_results:
            body: Dict[str, Any] = {
                "experiment_ids": [str(e) for e in experiment_ids],
                "filter": filter,
                "order_by": list(order_by),
                "max_results": min(1000, max_results - len(out)),
                "run_view_type": "ACTIVE_ONLY",
            }
            if token:
                body["page_token"] = token
            r = t.call("POST", f"{API}/runs/search", body)
            out.extend(_fix_run(run) for run in r.get("runs", []))
            token = r.get("next_page_token")
            if not token:
                break
        return out[:max_results]

    def get_run(self, run_id: str, workspace: Optional[str] = None) -> Dict[str, Any]:
        r = self._ws(workspace).call("GET", f"{API}/runs/get", query={"run_id": run_id})
        return _fix_run(r["run"])

    def get_metric_history(
        self, run_id: str, key: str, workspace: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Every value of metric ``key`` in run ``run_id``, ordered as the server returns them."""
        t = self._ws(workspace)
        out: List[Dict[str, Any]] = []
        token: Optional[str] = None
        while True:
            q: Dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": 25000}
            if token:
                q["page_token"] = token
            r = t.call("GET", f"{API}/metrics/get-history", query=q)
            out.extend(_fix_metrics(r.get("metrics", [])))
            token = r.get("next_page_token")
            if not token:
                return out

    # -- artifacts --------------------------------------------------------------------------

    def list_artifacts(
        self, run_id: str, path: str = "", workspace: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        t = self._ws(workspace)
        out: List[Dict[str, Any]] = []
        token: Optional[str] = None
        while True:
            q: Dict[str, Any] = {"run_id": run_id, "path": path or None}
            if token:
                q["page_token"] = token
            r = t.call("GET", f"{API}/artifacts/list", query=q)
            out.extend(r.get("files", []))
            token = r.get("next_page_token")
            if not token:
                return out

    def _walk(self, t_ws: Optional[str], run_id: str, path: str) -> Iterator[str]:
        for f in self.list_artifacts(run_id, path, t_ws):
            if f.get("is_dir"):
                yield from self._walk(t_ws, run_id, f["path"])
            else:
                yield f["path"]

    def download_artifacts(
        self, run_id: str, path: str = "", dest: str = ".", workspace: Optional[str] = None
    ) -> str:
        """Downloads a run's artifact file or folder ``path`` into ``dest``; returns the local path
        of what was downloaded (``dest/<path>``)."""
        t = self._ws(workspace)
        run = self.get_run(run_id, workspace)
        base = artifact_base_path(run["info"].get("artifact_uri", ""), t)
        path = path.strip("/")
        files = list(self._walk(workspace, run_id, path))
        if not files and path:
            files = [path]  # not a folder: a single file
        for rel in files:
            local = os.path.join(dest, *rel.split("/"))
            os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
            tmp = local + ".part"
            with open(tmp, "wb") as f:
                t.request_raw("GET", f"{base}/{quote_path(rel)}", stream_to=f)
            os.replace(tmp, local)
        return os.path.join(dest, *path.split("/")) if path else dest
