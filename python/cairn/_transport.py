"""HTTP to one server: keep-alive connection per thread, auth header, retries with backoff.

A tracking URI may carry a path (``http://host:5000/workspaces/team-a``); every request path is
appended to it, which is how Cairn addresses a workspace.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import random
import threading
import time
from typing import IO, Any, Dict, Iterable, Mapping, Optional, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from .errors import CairnError, error_from_response

log = logging.getLogger("cairn")

#: Statuses worth another try: the server is overloaded or restarting, not rejecting the request.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

Body = Union[bytes, IO[bytes], None]


class RetryPolicy:
    """Exponential backoff with jitter: ``base * 2**attempt`` capped at ``cap`` seconds.

    Defaults give up after about 30 s of failures (7 retries), so a dead server does not hold the
    interpreter at exit for long.
    """

    max_retries = 7
    base = 0.25
    cap = 8.0

    def __init__(
        self, max_retries: Optional[int] = None, base: Optional[float] = None, cap: Optional[float] = None
    ) -> None:
        if max_retries is not None:
            self.max_retries = max_retries
        if base is not None:
            self.base = base
        if cap is not None:
            self.cap = cap

    def delay(self, attempt: int) -> float:
        d = min(self.cap, self.base * (2**attempt))
        return d * (0.5 + random.random() / 2)


class Transport:
    def __init__(
        self,
        uri: str,
        *,
        token: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        timeout: float = 120.0,
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CairnError(
                "INVALID_ARGUMENT",
                f"Tracking URI {uri!r} is not an http(s) URL: set MLFLOW_TRACKING_URI or pass "
                "tracking_uri='http://host:port' (optionally ending in /workspaces/<name>)",
            )
        self.uri = uri.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.headers: Dict[str, str] = {"User-Agent": "cairn-python/0.1"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif username is not None and password is not None:
            raw = f"{username}:{password}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        self._local = threading.local()

    def with_prefix(self, extra: str) -> "Transport":
        """A transport whose paths go under ``extra`` (e.g. ``/workspaces/team-a``)."""
        t = Transport.__new__(Transport)
        t.__dict__.update(self.__dict__)
        t.prefix = self.prefix + extra.rstrip("/")
        t.uri = f"{self.scheme}://{self.host}:{self.port}{t.prefix}"
        t._local = threading.local()
        return t

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> Tuple[http.client.HTTPConnection, bool]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        # 64 KiB per send: file uploads stream from disk far faster than in http.client's 8 KiB.
        conn = cls(self.host, self.port, timeout=self.timeout, blocksize=1 << 16)
        self._local.conn = conn
        return conn, False

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self._drop_connection()

    # -- requests ---------------------------------------------------------------------------

    def url_path(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        full = self.prefix + path
        if query:
            full += "?" + urlencode(list(_query_items(query)), doseq=True)
        return full

    def request_raw(
        self,
        method: str,
        path: str,
        *,
        body: Body = None,
        query: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        retry: bool = True,
        stream_to: Optional[IO[bytes]] = None,
    ) -> Tuple[int, bytes]:
        """Sends one request, retrying connection errors and 429/5xx; raises CairnError for the rest.

        Returns (status, body). When ``stream_to`` is given a 2xx body is copied there instead; a
        seekable ``stream_to`` is rewound and truncated before a retry, so a body cut off halfway
        is never written twice.
        """
        url = self.url_path(path, query)
        hdrs = dict(self.headers)
        if headers:
            hdrs.update(headers)
        attempt = 0
        start_pos = body.tell() if hasattr(body, "seek") else None  # type: ignore[union-attr]
        out_pos = stream_to.tell() if hasattr(stream_to, "seek") else None  # type: ignore[union-attr]
        while True:
            conn, reused = self._connection()
            try:
                if start_pos is not None:
                    body.seek(start_pos)  # type: ignore[union-attr]
                if out_pos is not None:
                    stream_to.seek(out_pos)  # type: ignore[union-attr]
                    stream_to.truncate()  # type: ignore[union-attr]
                conn.request(method, url, body=body, headers=hdrs)
                resp = conn.getresponse()
                status = resp.status
                if 200 <= status < 300 and stream_to is not None:
                    expected = resp.length  # from Content-Length; None when chunked
                    got = 0
                    while True:
                        chunk = resp.read(1 << 20)
                        if not chunk:
                            break
                        got += len(chunk)
                        stream_to.write(chunk)
                    # read(n) returns short instead of raising when the peer closes early.
                    if expected is not None and got < expected:
                        raise http.client.IncompleteRead(b"", expected - got)
                    data = b""
                else:
                    data = resp.read()
                if resp.will_close:
                    self._drop_connection()
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                # A kept-alive connection the server already closed: reconnect once at no cost.
                if reused and isinstance(exc, (http.client.RemoteDisconnected, BrokenPipeError,
                                               ConnectionResetError)):
                    continue
                if not retry or attempt >= self.retry.max_retries:
                    raise CairnError(
                        "UNAVAILABLE",
                        f"{method} {self.scheme}://{self.host}:{self.port}{url} failed after "
                        f"{attempt + 1} attempt(s): {exc!r}. Is the server running at {self.uri}?",
                    ) from exc
                self._sleep(attempt, f"{method} {url}: {exc!r}")
                attempt += 1
                continue
            if 200 <= status < 300:
                return status, data
            err = error_from_response(status, data)
            if retry and status in RETRYABLE_STATUSES and attempt < self.retry.max_retries:
                self._sleep(attempt, f"{method} {url}: {err}")
                attempt += 1
                continue
            raise err

    def _sleep(self, attempt: int, why: str) -> None:
        d = self.retry.delay(attempt)
        log.warning("cairn: retrying in %.2fs (attempt %d): %s", d, attempt + 1, why)
        time.sleep(d)

    def call(
        self,
        method: str,
        path: str,
        body: Optional[Any] = None,
        *,
        query: Optional[Mapping[str, Any]] = None,
        retry: bool = True,
    ) -> Dict[str, Any]:
        """A JSON request and its parsed JSON response."""
        payload = None
        headers = None
        if body is not None:
            payload = dumps(body)
            headers = {"Content-Type": "application/json"}
        _, data = self.request_raw(
            method, path, body=payload, query=query, headers=headers, retry=retry
        )
        if not data.strip():
            return {}
        return json.loads(data)


def dumps(body: Any) -> bytes:
    # allow_nan=False: a float NaN that slipped through must fail loudly, never go out as bare NaN.
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")


def quote_path(path: str) -> str:
    return quote(path.strip("/"), safe="/")


def _query_items(query: Mapping[str, Any]) -> Iterable[Tuple[str, Any]]:
    for k, v in query.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        yield k, v


__all__ = ["Transport", "RetryPolicy", "dumps", "quote_path"]
