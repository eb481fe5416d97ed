"""Client-side checks of what the server would reject, so one bad name cannot sink a whole batch."""

from __future__ import annotations

import posixpath
import re

from .errors import CairnError

_NAME = re.compile(r"^[/\w.\- ]*$")
MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000


def check_name(key: object, what: str) -> None:
    if not isinstance(key, str):
        raise CairnError("INVALID_ARGUMENT", f"{what} name must be a str, got {type(key).__name__}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"{what} name {key!r} must be 1 to {MAX_KEY_LENGTH} characters long",
        )
    if not _NAME.match(key):
        raise CairnError(
            "INVALID_ARGUMENT",
            f"Invalid {what} name {key!r}: names may only contain alphanumerics, underscores (_), "
            "dashes (-), periods (.), spaces ( ), and slashes (/)",
        )
    norm = posixpath.normpath(key)
    if norm != key or norm == "." or norm.startswith("..") or norm.startswith("/"):
        raise CairnError(
            "INVALID_ARGUMENT",
            f"Invalid {what} name {key!r}: it would resolve to a different path ({norm!r}); "
            "remove leading/trailing or doubled slashes and '.'/'..' segments",
        )


def check_param_value(key: str, value: str) -> None:
    if len(value) > MAX_PARAM_VALUE_LENGTH:
        raise CairnError(
            "INVALID_ARGUMENT",
            f"Value of param {key!r} is {len(value)} characters long; the limit is "
            f"{MAX_PARAM_VALUE_LENGTH}. Log long values as an artifact (run.log_text) instead.",
        )
