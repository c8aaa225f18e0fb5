"""Web Push delivery with pywebpush (VAPID, aes128gcm), run in a thread (it blocks).

The endpoint goes through the kit's SSRF guard (`subgraphs.kit.net`) first: resolved, and refused
when any address is private, loopback or link-local (unless `PUSH_ALLOW_PRIVATE`, for tests).
The guard checks but does not pin the address here (pywebpush connects by name, and TLS needs
the name), so a DNS answer that changes within that moment is not covered; push endpoints
come from browsers' push services (public HTTPS hosts).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import orjson
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from subgraphs.kit.net import Resolver, UrlNotAllowedError, resolve_target, system_resolver
from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.errors import PushEndpointNotAllowedError

GONE = {404, 410}  # the push service forgot the subscription: remove it


class PushResult(StrEnum):
    SENT = "SENT"
    GONE = "GONE"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class PushOutcome:
    result: PushResult
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PushTarget:
    endpoint: str
    p256dh: str
    auth: str


class PushSender:
    def __init__(self, config: DeliveryConfig, resolver: Resolver = system_resolver) -> None:
        self.config = config
        self.resolver = resolver
        self._key: Any = None

    @property
    def enabled(self) -> bool:
        return self.config.vapid_private_key is not None

    def _vapid(self) -> Any:
        """VAPID_PRIVATE_KEY as PEM, or base64url (raw 32-byte scalar or DER)."""
        if self._key is None:
            raw = self.config.vapid_private_key or ""
            self._key = (
                Vapid.from_pem(raw.encode()) if "-----BEGIN" in raw else Vapid.from_string(raw)
            )
        return self._key

    async def check_endpoint(self, endpoint: str) -> None:
        """Raise PushEndpointNotAllowedError unless `endpoint` may receive pushes."""
        allow = self.config.push_allow_private
        if not allow and urlsplit(endpoint).scheme != "https":
            raise PushEndpointNotAllowedError(field="endpoint", reason="https only")
        try:
            await resolve_target(endpoint, allow_private=allow, resolver=self.resolver)
        except UrlNotAllowedError as exc:
            raise PushEndpointNotAllowedError(field="endpoint", reason=str(exc)) from exc

    async def send(self, target: PushTarget, payload: dict[str, Any]) -> PushOutcome:
        try:
            await self.check_endpoint(target.endpoint)
        except PushEndpointNotAllowedError as exc:
            return PushOutcome(PushResult.FAILED, error=str(exc))
        return await asyncio.to_thread(self._send_blocking, target, payload)

    def _send_blocking(self, target: PushTarget, payload: dict[str, Any]) -> PushOutcome:
        info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        try:
            response: Any = webpush(
                info,
                data=orjson.dumps(payload).decode(),
                vapid_private_key=self._vapid(),
                vapid_claims={"sub": self.config.vapid_subject},
                ttl=self.config.push_ttl,
                timeout=10.0,
            )
        except WebPushException as exc:
            code = getattr(exc.response, "status_code", None)
            result = PushResult.GONE if code in GONE else PushResult.FAILED
            return PushOutcome(result, code, str(exc)[:500])
        except Exception as exc:  # connection errors, malformed keys
            return PushOutcome(PushResult.FAILED, None, f"{type(exc).__name__}: {exc}"[:500])
        return PushOutcome(PushResult.SENT, getattr(response, "status_code", None))
