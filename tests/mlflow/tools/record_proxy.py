"""Recording HTTP proxy: forwards every request to an upstream MLflow-compatible server and appends one
JSON line per exchange (method, path, query, selected headers, request body, status, response body)
to a log file. Bodies longer than --max-body characters are truncated; binary bodies are summarised.

Usage: python record_proxy.py --listen 127.0.0.1:5099 --upstream 127.0.0.1:5000 --log wire.jsonl
Stdlib only, so it runs from any Python 3.9+.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
INTERESTING_REQUEST_HEADERS = ("content-type", "content-length", "transfer-encoding", "user-agent", "authorization", "accept", "range")
INTERESTING_RESPONSE_HEADERS = (
    "content-type",
    "content-length",
    "content-disposition",
    "x-content-type-options",
    "etag",
    "accept-ranges",
)


def summarise_body(raw: bytes, content_type: str, max_body: int) -> object:
    if not raw:
        return None
    if "json" in content_type or raw[:1] in (b"{", b"["):
        try:
            text = raw.decode("utf-8")
            if len(text) <= max_body:
                return json.loads(text)
            return {"_truncated_json": text[:max_body], "_total_chars": len(text)}
        except (UnicodeDecodeError, ValueError):
            pass
    try:
        text = raw.decode("utf-8")
        if len(text) <= max_body:
            return {"_text": text}
        return {"_text": text[:max_body], "_total_chars": len(text)}
    except UnicodeDecodeError:
        return {"_binary_bytes": len(raw), "_head_hex": raw[:32].hex()}


class Recorder:
    def __init__(self, log_path: str, max_body: int) -> None:
        self.log_path = log_path
        self.max_body = max_body
        self.lock = threading.Lock()
        self.seq = 0

    def write(self, entry: dict) -> None:
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, default=str) + "\n")


def make_handler(upstream_host: str, upstream_port: int, recorder: Recorder):
    class ProxyHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

        def _read_request_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size_line = self.rfile.readline().strip()
                    size = int(size_line.split(b";")[0], 16)
                    if size == 0:
                        # trailer section ends with an empty line
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _proxy(self) -> None:
            started = time.time()
            body = self._read_request_body()
            if self.path.startswith("/__mark__"):
                # Scenario scripts call this to label the exchanges that follow; never forwarded.
                recorder.write({"mark": dict(parse_qsl(urlsplit(self.path).query)).get("op", "")})
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
            headers["Host"] = f"{upstream_host}:{upstream_port}"
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=600)
            try:
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                resp_body = resp.read()
                resp_headers = resp.getheaders()
                status = resp.status
                reason = resp.reason
            finally:
                conn.close()

            split = urlsplit(self.path)
            req_ct = self.headers.get("Content-Type", "")
            resp_ct = next((v for k, v in resp_headers if k.lower() == "content-type"), "")
            recorder.write(
                {
                    "t": round(started, 3),
                    "ms": round((time.time() - started) * 1000, 1),
                    "method": self.command,
                    "path": split.path,
                    "query": parse_qsl(split.query, keep_blank_values=True),
                    "req_headers": {k.lower(): v for k, v in self.headers.items() if k.lower() in INTERESTING_REQUEST_HEADERS},
                    "req_body": summarise_body(body, req_ct, recorder.max_body),
                    "status": status,
                    "resp_headers": {k.lower(): v for k, v in resp_headers if k.lower() in INTERESTING_RESPONSE_HEADERS},
                    "resp_body": summarise_body(resp_body, resp_ct, recorder.max_body),
                }
            )

            self.send_response(status, reason)
            for k, v in resp_headers:
                if k.lower() in HOP_BY_HOP or k.lower() == "content-length":
                    continue
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp_body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp_body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _proxy

    return ProxyHandler


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:5099")
    ap.add_argument("--upstream", required=True, help="host:port of the real server")
    ap.add_argument("--log", required=True, help="JSON-lines file to append exchanges to")
    ap.add_argument("--max-body", type=int, default=4000, help="truncate bodies longer than this many characters")
    args = ap.parse_args()
    lhost, lport = args.listen.rsplit(":", 1)
    uhost, uport = args.upstream.rsplit(":", 1)
    recorder = Recorder(args.log, args.max_body)
    server = ThreadingHTTPServer((lhost, int(lport)), make_handler(uhost, int(uport), recorder))
    print(f"recording {args.listen} -> {args.upstream} into {args.log}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
