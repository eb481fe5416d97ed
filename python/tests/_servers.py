"""Small stdlib HTTP servers the tests put between the client and the real server."""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit


class _Server:
    def __init__(self, handler_cls: type) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "_Server":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = lambda self: self.handle_any()  # noqa: E731


class RecordingServer(_Server):
    """Answers the few MLflow calls a run makes and records every request it gets."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class H(_Handler):
            def handle_any(self) -> None:
                body = self._read_body()
                rec = {
                    "method": self.command,
                    "path": self.path,
                    "client_port": self.client_address[1],
                    "headers": dict(self.headers),
                    "json": json.loads(body)
                    if body and "json" in (self.headers.get("Content-Type") or "") else None,
                }
                with outer.lock:
                    outer.requests.append(rec)
                path = urlsplit(self.path).path
                if path.endswith("/runs/create"):
                    info = {"run_id": "r" * 32, "experiment_id": "0", "status": "RUNNING",
                            "artifact_uri": "mlflow-artifacts:/0/" + "r" * 32 + "/artifacts"}
                    self._reply(200, json.dumps({"run": {"info": info, "data": {}}}).encode())
                else:
                    self._reply(200, b"{}")

        super().__init__(H)

    def log_batches(self) -> List[Dict[str, Any]]:
        with self.lock:
            return [r["json"] for r in self.requests if r["path"].endswith("/runs/log-batch")]


class Proxy(_Server):
    """Forwards to ``upstream``; can hold log-batch requests at a gate and fail the next N with 503."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.gate = threading.Event()
        self.gate.set()
        self.fail_next_log_batches = 0
        self.log_batch_attempts = 0
        self.log_batches_answered = 0
        #: Data file downloads to answer with half their bytes before hanging up.
        self.cut_next_downloads = 0
        #: (method, path with query) of every request forwarded or failed, in arrival order.
        self.seen: List[Tuple[str, str]] = []
        self.lock = threading.Lock()
        outer = self

        class H(_Handler):
            def handle_any(self) -> None:
                body = self._read_body()
                with outer.lock:
                    outer.seen.append((self.command, self.path))
                is_batch = urlsplit(self.path).path.endswith("/runs/log-batch")
                if is_batch:
                    with outer.lock:
                        outer.log_batch_attempts += 1
                        fail = outer.fail_next_log_batches > 0
                        if fail:
                            outer.fail_next_log_batches -= 1
                    if fail:
                        self._reply(503, b'{"error_code":"TEMPORARILY_UNAVAILABLE","message":"try later"}')
                        return
                    outer.gate.wait(60)
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                with outer.lock:
                    cut = outer.cut_next_downloads > 0 and "/files/content" in self.path
                    if cut:
                        outer.cut_next_downloads -= 1
                if cut:
                    self.send_response(resp.status)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._reply(resp.status, data, resp.getheader("Content-Type") or "application/json")
                if is_batch:
                    with outer.lock:
                        outer.log_batches_answered += 1

        super().__init__(H)
