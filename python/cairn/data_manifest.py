"""Data manifests made on the client: list a local file or folder, hash it, write the canonical JSON.

The manifest id is the sha256 of the canonical JSON, so the bytes must be exactly those that
``serializeDataManifest`` (packages/data/src/manifest/data-manifest.ts) writes for the same files,
or the same folder uploaded from Python and from the TypeScript CLI would make two versions where
one is expected. Two details make that true:

- Entries are sorted the way JavaScript compares strings: by UTF-16 code unit, not by code point.
  The two orders differ for characters above U+FFFF (``"😀" < "～"`` in JavaScript, the other way
  round in Python), and the server refuses a manifest that is not in its order.
- Paths are escaped as ``JSON.stringify`` does, which for well-formed Unicode is what
  ``json.dumps(ensure_ascii=False)`` does: ``"`` and ``\\`` escaped, control characters as ``\\n``,
  ``\\t``, ... or ``\\u00XX`` (lowercase hex), everything else (U+2028/9 included) as UTF-8 bytes.
  File names that are not valid UTF-8 have no such form and are refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from .errors import CairnError

DATA_TYPES = ("uri_file", "uri_folder", "mltable")

#: Bytes read per call while hashing; hashlib releases the GIL for buffers this large, so several
#: threads hash several files at once.
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """A file to upload: ``path`` relative to the root (posix), ``absolute_path`` on this machine."""

    path: str
    absolute_path: str
    size: int
    sha256: str


def js_order(path: str) -> bytes:
    """Sort key matching JavaScript's ``a < b`` on strings (UTF-16 code units)."""
    return path.encode("utf-16-be", "surrogatepass")


def is_safe_relative_path(path: str) -> bool:
    if path == "" or path.startswith("/") or "\0" in path or "\\" in path:
        return False
    return all(seg not in ("", ".", "..") for seg in path.split("/"))


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def serialize_data_manifest(files: Sequence[Tuple[str, int, str]]) -> bytes:
    """Canonical JSON of an uploaded data version's files ``(path, size, sha256)``, sorted as the
    server sorts them. Uploaded files carry no mtime, ETag or inode (``null``)."""
    parts = []
    for path, size, sha256 in sorted(files, key=lambda f: js_order(f[0])):
        parts.append(
            f'{{"path":{_json_string(path)},"size":{int(size)},"sha256":"{sha256}",'
            '"mtimeMs":null,"etag":null,"inode":null}'
        )
    return ('{"version":1,"kind":"data","entries":[' + ",".join(parts) + "]}").encode("utf-8")


def _posix_name(name: str, where: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"{where!r} is not valid UTF-8: data file names must be Unicode text; rename it",
            details={"field": "local_path"},
        ) from None
    return name


def list_local_files(local_path: str, type: str) -> Tuple[List[Tuple[str, str]], List[str]]:
    """The regular files of a ``uri_file`` (the file, under its own name) or of a folder (every file
    beneath it, relative posix paths), as ``(path, absolute_path)``; and warnings for what was left
    out. Symbolic links are not followed and not taken, as the TypeScript CLI does."""
    if type not in DATA_TYPES:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"type must be one of {', '.join(DATA_TYPES)}, not {type!r}",
            details={"field": "type"},
        )
    root = os.path.abspath(local_path)
    try:
        info = os.stat(root)
    except OSError:
        raise CairnError(
            "INVALID_ARGUMENT", f"{local_path!r} does not exist", details={"field": "local_path"}
        ) from None
    if type == "uri_file":
        if not stat.S_ISREG(info.st_mode):
            raise CairnError(
                "INVALID_ARGUMENT",
                f"{local_path!r} is not a file: a uri_file asset is one file (use uri_folder for a folder)",
                details={"field": "local_path"},
            )
        return [(_posix_name(os.path.basename(root), root), root)], []
    if not stat.S_ISDIR(info.st_mode):
        raise CairnError(
            "INVALID_ARGUMENT",
            f"{local_path!r} is not a folder: use type='uri_file' for a single file",
            details={"field": "local_path"},
        )
    files: List[Tuple[str, str]] = []
    warnings: List[str] = []
    pending = [("", root)]
    while pending:
        rel_dir, abs_dir = pending.pop()
        with os.scandir(abs_dir) as it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_symlink():
                    warnings.append(f"skipped symlink {rel}: links are not followed")
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((rel, entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.append((_posix_name(rel, entry.path), entry.path))
                else:
                    warnings.append(f"skipped {rel}: not a regular file, folder or symlink")
    if not files:
        raise CairnError(
            "INVALID_ARGUMENT", f"{local_path!r} has no files", details={"field": "local_path"}
        )
    if type == "mltable" and not any(p == "MLTable" for p, _ in files):
        raise CairnError(
            "INVALID_ARGUMENT",
            f"{local_path!r} has no file named 'MLTable': an mltable asset is a folder with an MLTable file",
            details={"field": "local_path"},
        )
    return files, warnings


def hash_file(path: str) -> Tuple[str, int]:
    """(sha256, size) of a file's bytes as read now."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(READ_CHUNK)
            if not chunk:
                break
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def hash_files(files: Iterable[Tuple[str, str]], workers: Optional[int] = None) -> List[LocalFile]:
    """Hashes ``(path, absolute_path)`` pairs on a few threads; sorted as the manifest is."""
    items = list(files)
    workers = workers or min(8, os.cpu_count() or 1)

    def one(item: Tuple[str, str]) -> LocalFile:
        sha, size = hash_file(item[1])
        return LocalFile(item[0], item[1], size, sha)

    if len(items) <= 1 or workers <= 1:
        out = [one(i) for i in items]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="cairn-hash") as pool:
            out = list(pool.map(one, items))
    out.sort(key=lambda f: js_order(f.path))
    return out


__all__ = [
    "DATA_TYPES",
    "LocalFile",
    "hash_file",
    "hash_files",
    "is_safe_relative_path",
    "js_order",
    "list_local_files",
    "serialize_data_manifest",
]
