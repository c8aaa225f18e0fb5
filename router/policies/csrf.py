"""CSRF prevention, Apollo's rule (@apollo/server `preventCsrf`, Apollo Router `csrf`).

A browser sends a "simple" cross-origin request without a CORS preflight only with no
Content-Type or one of `text/plain`, `application/x-www-form-urlencoded`,
`multipart/form-data`. Such requests (GET included) are refused unless they carry a non-empty
header a simple request cannot set (`apollo-require-preflight`, `x-apollo-operation-name`).
"""

from __future__ import annotations

from collections.abc import Mapping

SIMPLE_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
CODE = "CSRF_PREVENTED"  # extensions.code of the 400 refusal
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
MESSAGE = (
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Please either specify a 'content-type' header (with a type that is not one of "
    "application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a "
    "non-empty value for one of the following headers: apollo-require-preflight, "
    "x-apollo-operation-name"
)


def is_blocked(headers: Mapping[str, str]) -> bool:
    """True for a request a browser could send cross-site without a preflight."""
    content_type = headers.get("content-type")
    if content_type is not None:
        media = content_type.split(";", 1)[0].strip().lower()
        if media and media not in SIMPLE_TYPES:
            return False
    return not any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)
