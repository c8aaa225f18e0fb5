"""Webhook signatures.

    X-Webhook-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>[,v1=<...>]

One `v1` per active secret: after a rotation, the new secret's signature comes first and the
previous secret's follows until its grace period ends. A receiver accepts the request when
any `v1` matches a secret it knows.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Webhook-Signature"
TOLERANCE_SECONDS = 300


def _digest(secret: str, t: int, body: str) -> str:
    return hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()


def sign(secrets: str | Sequence[str], body: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    return ",".join([f"t={t}", *(f"v1={_digest(k, t, body)}" for k in keys)])


def parse(header: str) -> tuple[int | None, list[str]]:
    t: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                t = int(value)
            except ValueError:
                return None, []
        elif name == "v1":
            signatures.append(value)
    return t, signatures


def verify(secret: str, body: str, header: str, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver runs: constant-time compare, and refuse stale timestamps (replays)."""
    t, signatures = parse(header)
    if t is None or abs(time.time() - t) > tolerance:
        return False
    expected = _digest(secret, t, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)
