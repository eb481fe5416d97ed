"""Data assets through cairn.Client against a real Cairn server: upload (only new contents), download
(verified, resumable as a no-op), referenced datastores, refresh, preview, errors, and a manifest id
byte-identical to the TypeScript CLI's for the same folder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Dict, List

import pytest

import cairn
from cairn import _data_api
from cairn.data_manifest import js_order, serialize_data_manifest
from conftest import REPO_ROOT, TARGET

from _servers import Proxy

pytestmark = pytest.mark.skipif(TARGET != "cairn", reason="data assets are Cairn's native API")

TRICKY_NAMES = [
    "é.txt",
    "日本語/ファイル.csv",
    "😀.txt",  # above U+FFFF: JavaScript sorts it before "～", Python's str order after
    "～.txt",
    'quote"d.txt',
    "tab\tname.txt",
    "ß/nested/deep.bin",
]


def _name(prefix: str = "ds") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _folder(root: Path, files: Dict[str, bytes]) -> Path:
    for rel, data in files.items():
        p = root.joinpath(*rel.split("/"))
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


def _tree(root: Path) -> Dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }


def _requests(proxy: Proxy, method: str, fragment: str) -> List[str]:
    with proxy.lock:
        return [path for m, path in proxy.seen if m == method and fragment in path]


@pytest.fixture
def proxy(server_url):
    with Proxy(server_url) as p:
        yield p


def test_manifest_order_and_escaping_are_javascripts():
    assert sorted(["～", "😀"], key=js_order) == ["😀", "～"]
    assert sorted(["～", "😀"]) == ["～", "😀"]
    body = serialize_data_manifest([("b\t\"x", 2, "f" * 64), ("a/é", 1, "e" * 64)])
    assert body == (
        '{"version":1,"kind":"data","entries":['
        '{"path":"a/é","size":1,"sha256":"' + "e" * 64 + '","mtimeMs":null,"etag":null,"inode":null},'
        '{"path":"b\\t\\"x","size":2,"sha256":"' + "f" * 64 + '","mtimeMs":null,"etag":null,"inode":null}]}'
    ).encode("utf-8")


def test_upload_then_unchanged_upload_sends_nothing(proxy, tmp_path):
    client = cairn.Client(proxy.url)
    name = _name()
    same = os.urandom(1000)
    src = _folder(tmp_path / "src", {
        "a.csv": b"x,y\n1,2\n", "sub/b.bin": os.urandom(200_000), "sub/c1": same, "sub/c2": same,
        "empty": b"",
    })

    v1 = client.upload_data(name, str(src), description="first", tags={"k": "v"})
    assert (v1["version"], v1["fileCount"], v1["storage"]) == ("1", 5, "uploaded")
    assert v1["totalBytes"] == sum(len(b) for b in _tree(src).values())
    assert v1["upload"] == {"files": 5, "uploaded": 4, "bytesUploaded": v1["totalBytes"] - 1000}
    # four distinct contents and the manifest
    assert len(_requests(proxy, "PUT", "/blobs/")) == 5

    before = len(proxy.seen)
    v2 = client.upload_data(name, str(src))
    after = proxy.seen[before:]
    assert v2["version"] == "2" and v2["manifestId"] == v1["manifestId"]
    assert v2["upload"]["uploaded"] == 0
    assert [m for m, _ in after] == ["POST", "POST"]  # blobs/missing, then the version
    assert after[0][1].endswith("/blobs/missing") and after[1][1].endswith("/data")

    asset = client.get_data(name)
    assert (asset["latestVersion"], asset["versionCount"]) == ("2", 2)
    assert asset["description"] == "first" and asset["tags"] == {"k": "v"}
    assert [v["version"] for v in client.list_data_versions(name)] == ["2", "1"]
    assert client.get_data_version(name)["version"] == "2"
    assert name in {a["name"] for a in client.list_data()}


def test_download_is_byte_identical_and_a_second_call_fetches_nothing(proxy, tmp_path):
    client = cairn.Client(proxy.url)
    name = _name()
    files = {"a.txt": b"hello\n", "deep/er/b.bin": os.urandom(3_000_000), "z": b""}
    src = _folder(tmp_path / "src", files)
    client.upload_data(name, str(src))

    dest = tmp_path / "dl"
    out = client.download_data(name, dest=str(dest))
    assert out == str(dest.resolve())
    assert _tree(dest) == files
    assert len(_requests(proxy, "GET", "/files/content")) == 3

    client.download_data(name, "1", dest=str(dest))
    assert len(_requests(proxy, "GET", "/files/content")) == 3  # nothing fetched again

    (dest / "a.txt").write_bytes(b"tampered\n")
    client.download_data(name, dest=str(dest))
    fetched = _requests(proxy, "GET", "/files/content")
    assert len(fetched) == 4 and "path=a.txt" in fetched[-1]
    assert _tree(dest) == files  # no .partial left behind


def test_a_download_cut_off_halfway_is_retried_from_the_start(proxy, tmp_path, fast_retries):
    client = cairn.Client(proxy.url)
    name = _name()
    files = {"big.bin": os.urandom(2_000_000)}
    client.upload_data(name, str(_folder(tmp_path / "src", files)))
    proxy.cut_next_downloads = 2
    dest = client.download_data(name, dest=str(tmp_path / "dl"))
    assert _tree(Path(dest)) == files
    assert len(_requests(proxy, "GET", "/files/content")) == 3


def test_default_destination_is_name_dash_version(client, tmp_path, monkeypatch):
    name = _name()
    client.upload_data(name, str(_folder(tmp_path / "src", {"f": b"1"})))
    monkeypatch.chdir(tmp_path)
    out = client.download_data(name)
    assert out == str(tmp_path / f"{name}-1")
    assert (tmp_path / f"{name}-1" / "f").read_bytes() == b"1"


def test_uri_file(client, tmp_path):
    name = _name()
    f = tmp_path / "table.csv"
    f.write_bytes(b"a,b\n1,2\n3,4\n")
    v = client.upload_data(name, str(f), type="uri_file")
    assert (v["type"], v["fileCount"]) == ("uri_file", 1)
    assert client.data_files(name) == [
        {"path": "table.csv", "size": f.stat().st_size, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
    ]
    out = client.download_data(name, dest=str(tmp_path / "dl"))
    assert out == str(tmp_path / "dl" / "table.csv")
    assert Path(out).read_bytes() == f.read_bytes()
    preview = client.data_preview(name, rows=1)
    assert len(preview["rows"]) == 1

    with pytest.raises(cairn.CairnError) as info:
        client.upload_data(name, str(tmp_path), type="uri_file")
    assert info.value.code == "INVALID_ARGUMENT" and info.value.field == "local_path"


def test_files_pages_and_prefix(client, tmp_path, monkeypatch):
    name = _name()
    client.upload_data(name, str(_folder(tmp_path / "src", {f"d{i % 2}/f{i}": b"%d" % i for i in range(7)})))
    monkeypatch.setattr(_data_api, "FILES_PAGE", 2)
    paths = [f["path"] for f in client.data_files(name)]
    assert paths == sorted(paths) and len(paths) == 7
    assert [f["path"] for f in client.data_files(name, prefix="d1")] == ["d1/f1", "d1/f3", "d1/f5"]


def test_non_ascii_names_give_the_ts_clis_manifest_id(server_url, client, tmp_path):
    src = _folder(tmp_path / "src", {n: n.encode("utf-8") * 3 for n in TRICKY_NAMES})
    name_ts, name_py = _name("ts"), _name("py")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run(
        ["node", "packages/cli/bin/cairn.mjs", "--url", server_url, "-o", "json",
         "data", "create", "--name", name_ts, "--path", str(src)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    from_ts = json.loads(proc.stdout)

    from_py = client.upload_data(name_py, str(src))
    assert from_py["manifestId"] == from_ts["manifestId"]
    assert from_py["upload"]["uploaded"] == 0  # the CLI already sent every content

    dest = client.download_data(name_py, dest=str(tmp_path / "dl"))
    assert _tree(Path(dest)) == _tree(src)


def test_referenced_datastore_register_refresh_preview_lineage(client, tmp_path):
    root = _folder(tmp_path / "store", {"tbl/part-0.csv": b"id,v\n1,a\n2,b\n", "tbl/part-1.csv": b"id,v\n3,c\n"})
    ds = _name("store")
    client._root.call("POST", f"{_data_api.NATIVE}/workspaces/default/datastores",
                      {"spec": {"name": ds, "type": "local", "path": str(root)}})
    name = _name()
    v1 = client.register_data(name, f"azureml://datastores/{ds}/paths/tbl", description="ref")
    assert (v1["storage"], v1["fileCount"]) == ("referenced", 2)
    preview = client.data_preview(name, rows=10)
    assert [c["name"] for c in preview["columns"]] == ["id", "v"]
    assert [row[1] for row in preview["rows"]] == ["a", "b", "c"]

    assert client.refresh_data(name)["version"] is None
    (root / "tbl" / "part-1.csv").write_bytes(b"id,v\n3,c\n4,d\n")
    r = client.refresh_data(name, message="new rows")
    assert r["version"]["version"] == "2"
    assert (r["diff"]["added"], r["diff"]["changed"], r["diff"]["removed"]) == (0, 1, 0)

    assert client.data_lineage(name, "2") == {"consumedBy": [], "producedBy": []}
    assert client.run_data(uuid.uuid4().hex) == {"inputs": [], "outputs": []}


def test_workspace_argument_scopes_assets(client, tmp_path):
    ws = f"ws-{uuid.uuid4().hex[:8]}"
    client.create_workspace(ws)
    name = _name()
    v = client.upload_data(name, str(_folder(tmp_path / "src", {"f": b"ws"})), workspace=ws)
    assert v["upload"]["uploaded"] == 1
    assert name in {a["name"] for a in client.list_data(workspace=ws)}
    assert name not in {a["name"] for a in client.list_data()}
    scoped = cairn.Client(f"{client._root.uri}/workspaces/{ws}")
    assert scoped.get_data(name)["latestVersion"] == "1"


def test_errors_name_the_problem(client, tmp_path):
    with pytest.raises(cairn.CairnError) as info:
        client.get_data(_name("missing"))
    assert (info.value.code, info.value.status) == ("NOT_FOUND", 404)
    with pytest.raises(cairn.CairnError) as info:
        client.download_data(_name("missing"), dest=str(tmp_path / "nothing"))
    assert info.value.code == "NOT_FOUND"

    name = _name()
    src = _folder(tmp_path / "src", {"f": b"1"})
    client.upload_data(name, str(src), version="v1")
    with pytest.raises(cairn.CairnError) as info:
        client.upload_data(name, str(src), version="v1")
    assert info.value.code == "ALREADY_EXISTS"
    with pytest.raises(cairn.CairnError) as info:
        client.get_data_version(name, "v2")
    assert info.value.code == "NOT_FOUND"

    with pytest.raises(cairn.CairnError) as info:
        client.upload_data(name, str(tmp_path / "nope"))
    assert info.value.code == "INVALID_ARGUMENT" and info.value.field == "local_path"
    with pytest.raises(cairn.CairnError) as info:
        client.upload_data(name, str(src), type="tabular")
    assert info.value.field == "type"
    with pytest.raises(cairn.CairnError) as info:
        client.register_data(name, "azureml://datastores/no-such-store/paths/x")
    assert info.value.code in ("NOT_FOUND", "INVALID_ARGUMENT")
