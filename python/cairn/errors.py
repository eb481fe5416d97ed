"""The one error type of the client. Failures are data (code, message, status), not a class zoo."""

from __future__ import annotations

from typing import Any, Dict, Optional


class CairnError(Exception):
    """An error reported by the server or detected by the client.

    ``code`` is the server's error code (MLflow's ``error_code`` such as ``INVALID_PARAMETER_VALUE``,
    or Cairn's native code such as ``NOT_FOUND``); client-side failures use ``UNAVAILABLE`` (server
    unreachable after retries) and ``INVALID_ARGUMENT`` (bad input caught before sending).
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: Optional[int] = None,
        details: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}

    @property
    def field(self) -> Optional[str]:
        """The request field the error is about (Cairn's ``details.field``), when the server said."""
        f = self.details.get("field")
        return f if isinstance(f, str) else None

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{self.code}{status}: {self.message}"

    def __repr__(self) -> str:
        return f"CairnError({self.code!r}, {self.message!r}, status={self.status!r})"


def error_from_response(status: int, body: bytes) -> CairnError:
    """Reads an error body in either format: MLflow's ``{"error_code", "message"}`` or Cairn's
    native ``{"error": {"code", "message", "details"}}``."""
    import json

    text = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        native = data.get("error")
        if isinstance(native, dict) and "code" in native:
            return CairnError(
                str(native["code"]),
                str(native.get("message", "")),
                status,
                native.get("details") or {},
            )
        if "error_code" in data:
            return CairnError(str(data["error_code"]), str(data.get("message", "")), status)
    code = {
        400: "INVALID_PARAMETER_VALUE",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "ENDPOINT_NOT_FOUND",
        429: "REQUEST_LIMIT_EXCEEDED",
    }.get(status, "INTERNAL_ERROR" if status >= 500 else "HTTP_ERROR")
    return CairnError(code, text.strip()[:500] or f"HTTP {status}", status)
