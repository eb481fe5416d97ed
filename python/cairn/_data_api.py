"""Data assets through Cairn's native API (``/api/v1/workspaces/<ws>/data``), mixed into ``Client``.

Uploads are content addressed, as the TypeScript CLI does them: hash the files here, ask the
workspace which contents it lacks (``POST blobs/missing``), ``PUT blobs/<sha256>`` only those, upload
the data manifest the same way, and register ``{name, manifestId}``. Downloads stream each file to a
``.partial`` name while hashing it, and rename it only when its sha256 is the manifest's.
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import IO, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, TypeVar
from urllib.parse import quote

from ._transport import Transport
from .data_manifest import (
    LocalFile,
    hash_file,
    hash_files,
    is_safe_relative_path,
    list_local_files,
    serialize_data_manifest,
)
from .errors import CairnError

log = logging.getLogger("cairn")

NATIVE = "/api/v1"
#: The most sha256s one ``POST blobs/missing`` may name (the server's MAX_MISSING_QUERY).
MISSING_BATCH = 10_000
#: Files asked for per page of ``GET …/files`` (the server allows up to 100,000).
FILES_PAGE = 10_000
#: Files uploaded or downloaded at once (one kept-alive connection per thread).
TRANSFER_THREADS = 4

T = TypeVar("T")


def _q(segment: str) -> str:
    return quote(segment, safe="")


def _parallel(fn: Callable[[T], Any], items: Sequence[T], workers: int = TRANSFER_THREADS) -> None:
    """Runs ``fn`` over ``items`` on a few threads; the first failure cancels what has not started
    and is raised."""
    if len(items) <= 1 or workers <= 1:
        for item in items:
            fn(item)
        return
    with ThreadPoolExecutor(min(workers, len(items)), thread_name_prefix="cairn-data") as pool:
        futures = [pool.submit(fn, item) for item in items]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for f in pending:
            f.cancel()
        for f in futures:
            if f.done() and not f.cancelled() and f.exception() is not None:
                raise f.exception()  # type: ignore[misc]


class _HashingWriter:
    """A file being downloaded, hashed as it is written; the transport rewinds it (``seek(0)`` and
    ``truncate()``) before a retry, which restarts the hash too."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.hash = hashlib.sha256()
        self.size = 0

    def tell(self) -> int:
        return self.size

    def seek(self, pos: int) -> None:
        if pos != 0:
            raise ValueError("a download restarts from the beginning only")
        self._f.seek(0)

    def truncate(self) -> None:
        self._f.truncate()
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._f.write(data)


def _has_content(path: str, size: int, sha256: str) -> bool:
    try:
        if not os.path.isfile(path) or os.path.islink(path) or os.path.getsize(path) != size:
            return False
        return hash_file(path)[0] == sha256
    except OSError:
        return False


class DataMethods:
    """Data asset methods of :class:`cairn.Client`. Each takes ``workspace`` (default: the client's
    workspace, else ``default``) and returns the server's JSON as dicts (camelCase keys)."""

    _root: Transport
    default_workspace: Optional[str]

    def _data_base(self, workspace: Optional[str]) -> str:
        ws = workspace or self.default_workspace or "default"
        return f"{NATIVE}/workspaces/{_q(ws)}"

    def _asset_path(self, workspace: Optional[str], name: str, suffix: str = "") -> str:
        return f"{self._data_base(workspace)}/data/{_q(name)}{suffix}"

    def _version_path(
        self, workspace: Optional[str], name: str, version: str, suffix: str = ""
    ) -> str:
        return self._asset_path(workspace, name, f"/versions/{_q(str(version))}{suffix}")

    # -- reading ----------------------------------------------------------------------------

    def list_data(
        self, include_archived: bool = False, workspace: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Data assets, most recently changed first."""
        r = self._root.call(
            "GET", f"{self._data_base(workspace)}/data", query={"includeArchived": include_archived}
        )
        return list(r.get("assets", []))

    def get_data(self, name: str, workspace: Optional[str] = None) -> Dict[str, Any]:
        """One asset: description, tags, ``latestVersion``, ``versionCount``, refresh settings."""
        return self._root.call("GET", self._asset_path(workspace, name))["asset"]

    def list_data_versions(
        self, name: str, include_archived: bool = False, workspace: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """An asset's versions, newest first."""
        r = self._root.call(
            "GET",
            self._asset_path(workspace, name, "/versions"),
            query={"includeArchived": include_archived},
        )
        return list(r.get("versions", []))

    def get_data_version(
        self, name: str, version: str = "latest", workspace: Optional[str] = None
    ) -> Dict[str, Any]:
        """One version (``latest``: the newest not archived): ``manifestId``, ``fileCount``,
        ``totalBytes``, ``storage`` (uploaded/referenced), ``source``, ``diff``, ..."""
        return self._root.call("GET", self._version_path(workspace, name, version))["version"]

    def data_files(
        self,
        name: str,
        version: str = "latest",
        prefix: Optional[str] = None,
        workspace: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Every file of a version as ``{path, size, sha256}``, sorted by path; ``prefix`` keeps
        those under a folder. Follows the pages (``next``) until the last."""
        out: List[Dict[str, Any]] = []
        after: Optional[str] = None
        path = self._version_path(workspace, name, version, "/files")
        while True:
            q = {"prefix": prefix, "after": after, "maxResults": FILES_PAGE}
            r = self._root.call("GET", path, query=q)
            out.extend(r.get("files", []))
            after = r.get("next")
            if after is None:
                return out

    def data_preview(
        self,
        name: str,
        version: str = "latest",
        rows: int = 20,
        path: Optional[str] = None,
        workspace: Optional[str] = None,
    ) -> Dict[str, Any]:
        """First rows and schema of tabular data (CSV/TSV, Parquet, JSON lines, MLTable)."""
        return self._root.call(
            "GET",
            self._version_path(workspace, name, version, "/preview"),
            query={"rows": rows, "path": path},
        )

    def data_lineage(
        self, name: str, version: str, workspace: Optional[str] = None
    ) -> Dict[str, Any]:
        """``{"consumedBy": [...], "producedBy": [...]}``: the runs that read and wrote a version."""
        return self._root.call("GET", self._version_path(workspace, name, version, "/lineage"))

    def run_data(self, run_id: str, workspace: Optional[str] = None) -> Dict[str, Any]:
        """``{"inputs": [...], "outputs": [...]}``: the data versions a run read and wrote."""
        return self._root.call("GET", f"{self._data_base(workspace)}/runs/{_q(run_id)}/data")

    # -- downloading ------------------------------------------------------------------------

    def download_data(
        self,
        name: str,
        version: str = "latest",
        dest: Optional[str] = None,
        workspace: Optional[str] = None,
    ) -> str:
        """Downloads a version's files into ``dest`` (default ``./<name>-<version>``) and returns
        its absolute path, or for a ``uri_file`` the path of the file in it.

        Each file streams to ``<file>.partial`` and is renamed once its bytes hash to the manifest's
        sha256. A file already there with that sha256 is not downloaded again, so calling this twice
        (say at the top of every training run) transfers nothing the second time.
        """
        v = self.get_data_version(name, version, workspace)
        pinned = str(v["version"])
        root = os.path.abspath(dest if dest is not None else f"{v['name']}-{pinned}")
        files = self.data_files(name, pinned, workspace=workspace)
        content = self._version_path(workspace, name, pinned, "/files/content")
        for f in files:
            if not is_safe_relative_path(f["path"]):
                raise CairnError(
                    "INVALID_ARGUMENT",
                    f"{name}:{pinned} names the unsafe path {f['path']!r}; refusing to write it",
                )

        def fetch(f: Mapping[str, Any]) -> None:
            target = os.path.join(root, *f["path"].split("/"))
            if _has_content(target, f["size"], f["sha256"]):
                return
            os.makedirs(os.path.dirname(target), exist_ok=True)
            partial = target + ".partial"
            try:
                with open(partial, "wb") as out:
                    writer = _HashingWriter(out)
                    self._root.request_raw(
                        "GET", content, query={"path": f["path"]}, stream_to=writer  # type: ignore[arg-type]
                    )
                got = writer.hash.hexdigest()
                if got != f["sha256"] or writer.size != f["size"]:
                    raise CairnError(
                        "CONFLICT",
                        f"{name}:{pinned} file {f['path']!r} arrived as {writer.size} bytes hashing to "
                        f"{got}, not the {f['size']} bytes and sha256 {f['sha256']} of its manifest: "
                        "the transfer was corrupted or the source changed; download again",
                    )
                os.replace(partial, target)
            except BaseException:
                try:
                    os.remove(partial)
                except OSError:
                    pass
                raise

        os.makedirs(root, exist_ok=True)
        _parallel(fetch, files)
        if v.get("type") == "uri_file" and len(files) == 1:
            return os.path.join(root, *files[0]["path"].split("/"))
        return root

    # -- registering ------------------------------------------------------------------------

    def _create_version(
        self, workspace: Optional[str], body: Dict[str, Any]
    ) -> Dict[str, Any]:
        clean = {k: v for k, v in body.items() if v is not None}
        return self._root.call("POST", f"{self._data_base(workspace)}/data", clean)["version"]

    def register_data(
        self,
        name: str,
        path: str,
        type: str = "uri_folder",
        version: Optional[str] = None,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        refresh_interval_seconds: Optional[int] = None,
        message: Optional[str] = None,
        workspace: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Registers data referenced in place: ``path`` is a datastore URI
        (``azureml://datastores/<name>/paths/<path>``, ``cairn://...``) or an http(s) URL. The server
        hashes it and pins every file's sha256; reads of a source that changed since are CONFLICT.
        ``version`` defaults to the next whole number; an existing one is ALREADY_EXISTS."""
        return self._create_version(
            workspace,
            {
                "name": name,
                "path": path,
                "type": type,
                "version": None if version is None else str(version),
                "description": description,
                "tags": dict(tags) if tags is not None else None,
                "refreshIntervalSeconds": refresh_interval_seconds,
                "message": message,
            },
        )

    def _missing_blobs(self, workspace: Optional[str], sha256s: Iterable[str]) -> List[str]:
        unique = list(dict.fromkeys(sha256s))
        missing: List[str] = []
        url = f"{self._data_base(workspace)}/blobs/missing"
        for i in range(0, len(unique), MISSING_BATCH):
            r = self._root.call("POST", url, {"sha256": unique[i : i + MISSING_BATCH]})
            missing.extend(r.get("missing", []))
        return missing

    def _put_blob(self, workspace: Optional[str], sha256: str, body: Any, size: int) -> None:
        self._root.request_raw(
            "PUT",
            f"{self._data_base(workspace)}/blobs/{sha256}",
            body=body,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )

    def upload_data(
        self,
        name: str,
        local_path: str,
        type: str = "uri_folder",
        version: Optional[str] = None,
        description: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        message: Optional[str] = None,
        workspace: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Uploads a local folder (``uri_folder``, ``mltable``) or file (``uri_file``) as a new
        version and returns it. Only contents the workspace lacks are sent, so uploading an
        unchanged folder again sends nothing but the version (same ``manifestId``). The returned
        dict also has ``upload``: ``{"files", "uploaded", "bytesUploaded"}``."""
        paths, warnings = list_local_files(local_path, type)
        for w in warnings:
            log.warning("cairn: %s", w)
        files = hash_files(paths)
        manifest = serialize_data_manifest([(f.path, f.size, f.sha256) for f in files])
        manifest_id = hashlib.sha256(manifest).hexdigest()

        by_sha: Dict[str, LocalFile] = {}
        for f in files:
            by_sha.setdefault(f.sha256, f)
        missing = set(self._missing_blobs(workspace, [*by_sha, manifest_id]))
        to_send = [by_sha[s] for s in by_sha if s in missing]

        def send(f: LocalFile) -> None:
            with open(f.absolute_path, "rb") as body:
                self._put_blob(workspace, f.sha256, body, f.size)

        _parallel(send, to_send)
        if manifest_id in missing:
            self._put_blob(workspace, manifest_id, manifest, len(manifest))
        sent_bytes = sum(f.size for f in to_send)
        log.info(
            "cairn: %s: hashed %d file(s); uploaded %d new (%d bytes)",
            name, len(files), len(to_send), sent_bytes,
        )
        v = self._create_version(
            workspace,
            {
                "name": name,
                "manifestId": manifest_id,
                "uploadedFrom": os.fspath(local_path),
                "type": type,
                "version": None if version is None else str(version),
                "description": description,
                "tags": dict(tags) if tags is not None else None,
                "message": message,
            },
        )
        v["upload"] = {"files": len(files), "uploaded": len(to_send), "bytesUploaded": sent_bytes}
        return v

    def refresh_data(
        self, name: str, message: Optional[str] = None, workspace: Optional[str] = None
    ) -> Dict[str, Any]:
        """Looks at a referenced asset's source now: ``{"version": <new version or None>, "diff":
        {added, changed, removed, sample}}``. Only files whose size/mtime/inode or ETag changed
        are read again."""
        body = {"message": message} if message is not None else {}
        return self._root.call("POST", self._asset_path(workspace, name, "/refresh"), body)


__all__ = ["DataMethods"]
