"""The background sender: drains a run's in-memory queue into ``runs/log-batch`` requests.

The caller only appends a tuple to a deque (thread-safe, no lock), so logging costs microseconds.
One daemon thread per run wakes every ``interval`` seconds, or as soon as a full batch is waiting,
and sends batches within MLflow's limits, in the order they were logged.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from typing import Any, Deque, Dict, List, Optional, Tuple

from .errors import CairnError
from ._transport import Transport, dumps

log = logging.getLogger("cairn")

# MLflow's server-side limits (mlflow/utils/validation.py).
MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
MAX_ENTITIES = 1000
# The server rejects bodies over 1e6 bytes; stay well under it.
MAX_BODY_BYTES = 900_000

LOG_BATCH = "/api/2.0/mlflow/runs/log-batch"


class FlushMarker:
    """Queued behind the data it must see sent; the sender sets ``done`` once that data is out."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


def wire_float(v: float) -> Any:
    """MLflow sends non-finite doubles as the JSON strings protobuf uses."""
    if v != v:
        return "NaN"
    if v == math.inf:
        return "Infinity"
    if v == -math.inf:
        return "-Infinity"
    return v


class _Batch:
    __slots__ = ("metrics", "params", "tags", "param_keys", "size")

    def __init__(self) -> None:
        self.metrics: List[Dict[str, Any]] = []
        self.params: List[Dict[str, str]] = []
        self.tags: Dict[str, str] = {}
        self.param_keys: Dict[str, str] = {}
        self.size = 0

    def __len__(self) -> int:
        return len(self.metrics) + len(self.params) + len(self.tags)

    def fits(self, item: Tuple[Any, ...]) -> bool:
        kind = item[0]
        if len(self) >= MAX_ENTITIES:
            return False
        if kind == "m":
            return len(self.metrics) < MAX_METRICS and self.size + 100 + len(item[1]) < MAX_BODY_BYTES
        extra = 40 + len(item[1]) + len(item[2])
        if self.size + extra >= MAX_BODY_BYTES:
            return False
        if kind == "p":
            # The server rejects a batch with the same param twice, even with the same value.
            return len(self.params) < MAX_PARAMS and item[1] not in self.param_keys
        return len(self.tags) < MAX_TAGS or item[1] in self.tags

    def add(self, item: Tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "m":
            _, key, value, ts, step = item
            self.metrics.append({"key": key, "value": wire_float(value), "timestamp": ts, "step": step})
            self.size += 100 + len(key)
        elif kind == "p":
            self.params.append({"key": item[1], "value": item[2]})
            self.param_keys[item[1]] = item[2]
            self.size += 40 + len(item[1]) + len(item[2])
        else:
            # Tags may be overwritten, so within one batch the last value is the one that counts.
            self.tags.pop(item[1], None)
            self.tags[item[1]] = item[2]
            self.size += 40 + len(item[1]) + len(item[2])

    def body(self, run_id: str) -> Dict[str, Any]:
        return {
            "run_id": run_id,
            "metrics": self.metrics,
            "params": self.params,
            "tags": [{"key": k, "value": v} for k, v in self.tags.items()],
        }


class Sender:
    def __init__(self, transport: Transport, run_id: str, interval: float = 0.5) -> None:
        self.transport = transport
        self.run_id = run_id
        self.interval = interval
        self.queue: Deque[Any] = collections.deque()
        self.wake = threading.Event()
        self.errors: List[CairnError] = []
        self._errors_lock = threading.Lock()
        self._stopping = False
        self.requests_sent = 0
        self._thread = threading.Thread(
            target=self._loop, name=f"cairn-sender-{run_id[:12]}", daemon=True
        )
        self._thread.start()

    # -- caller side ------------------------------------------------------------------------

    def flush(self, timeout: Optional[float] = None) -> None:
        """Blocks until everything queued before this call was sent (or failed); raises the first
        server error seen since the previous flush."""
        marker = FlushMarker()
        self.queue.append(marker)
        self.wake.set()
        if not self._thread.is_alive():
            self._drain()
        if not marker.done.wait(timeout):
            raise CairnError(
                "UNAVAILABLE",
                f"flush did not finish within {timeout}s; {len(self.queue)} item(s) still queued "
                f"for run {self.run_id}",
            )
        self.raise_errors()

    def raise_errors(self) -> None:
        with self._errors_lock:
            errors, self.errors = self.errors, []
        if errors:
            first = errors[0]
            if len(errors) > 1:
                first.details = dict(first.details, more_errors=[str(e) for e in errors[1:]])
            raise first

    def close(self, timeout: Optional[float] = None) -> None:
        try:
            self.flush(timeout)
        finally:
            self._stopping = True
            self.wake.set()
            self._thread.join(timeout)

    # -- sender thread ----------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            self.wake.wait(self.interval)
            self.wake.clear()
            try:
                self._drain()
            except Exception:  # never let the thread die: flush() would wait forever
                log.exception("cairn: unexpected error in the sender for run %s", self.run_id)
            if self._stopping and not self.queue:
                return

    def _drain(self) -> None:
        q = self.queue
        batch = _Batch()
        while q:
            item = q.popleft()
            if isinstance(item, FlushMarker):
                if len(batch):
                    self._send(batch)
                    batch = _Batch()
                item.done.set()
                continue
            if not batch.fits(item):
                self._send(batch)
                batch = _Batch()
            batch.add(item)
        if len(batch):
            self._send(batch)

    def _send(self, batch: _Batch) -> None:
        try:
            self.transport.call("POST", LOG_BATCH, batch.body(self.run_id))
            self.requests_sent += 1
            return
        except CairnError as err:
            failed = err
        kinds = [k for k in ("metrics", "params", "tags") if getattr(batch, k)]
        rejected = failed.status is not None and 400 <= failed.status < 500
        if rejected and len(kinds) > 1:
            # The server rejects a batch whole; one bad param must not take 1000 good metrics down
            # with it, so send each kind on its own and report only what still fails.
            for kind in kinds:
                part = _Batch()
                setattr(part, kind, getattr(batch, kind))
                try:
                    self.transport.call("POST", LOG_BATCH, part.body(self.run_id))
                    self.requests_sent += 1
                except CairnError as err:
                    self._record(err, part)
            return
        self._record(failed, batch)

    def _record(self, err: CairnError, batch: _Batch) -> None:
        log.error(
            "cairn: could not log %d metric(s), %d param(s), %d tag(s) to run %s: %s",
            len(batch.metrics), len(batch.params), len(batch.tags), self.run_id, err,
        )
        with self._errors_lock:
            self.errors.append(err)


__all__ = ["Sender", "FlushMarker", "wire_float", "dumps"]
