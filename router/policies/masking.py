"""Error hygiene in responses: field suggestions stripped, subgraph messages masked, the
`errors` array capped. Internal details stay in the log, with the request id."""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger("router.policies")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_ROUTER_CODES = frozenset(
    {"SUBGRAPH_REQUEST_FAILED", "SUBREQUEST_MALFORMED_RESPONSE", "NON_NULL_VIOLATION"}
)
MASKED = "Subgraph errors redacted"


def clean_errors(
    errors: list[dict[str, Any]],
    *,
    strip_suggestions: bool,
    mask_subgraphs: bool,
    max_errors: int,
    request_id: str,
) -> list[dict[str, Any]]:
    """A new errors list (the input may be a cached, shared list and is not changed)."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for error in errors[:max_errors]:
        if "path" not in error:  # request errors: one per message (directive overloading)
            text = str(error.get("message"))
            if text in seen:
                continue
            seen.add(text)
        message = str(error.get("message", ""))
        extensions = error.get("extensions") or {}
        if strip_suggestions and "Did you mean" in message:
            message = _SUGGESTION.sub("", message)
        if (
            mask_subgraphs
            and "service" in extensions
            and extensions.get("code") not in _ROUTER_CODES
        ):
            logger.info("subgraph error [%s] %s: %s", request_id, extensions["service"], message)
            message = MASKED
            extensions = {k: v for k, v in extensions.items() if k in ("code", "service")}
        if "exception" in extensions or "stacktrace" in extensions:
            extensions = {
                k: v for k, v in extensions.items() if k not in ("exception", "stacktrace")
            }
        cleaned.append(
            {**error, "message": message, "extensions": extensions}
            if extensions
            else {**error, "message": message}
        )
    if len(errors) > max_errors:
        cleaned.append(
            {
                "message": f"{len(errors) - max_errors} more errors omitted.",
                "extensions": {"code": "TOO_MANY_ERRORS"},
            }
        )
    return cleaned
