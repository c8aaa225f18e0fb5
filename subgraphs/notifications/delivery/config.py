"""Delivery settings, read from the environment (documented in docs/configuration.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

_TRUE = {"1", "true", "yes", "on"}
FROM = "SaaS Platform <notifications@localhost>"
SUBJECT = "mailto:admin@localhost"
PUBLIC_URL = "http://localhost:8000"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    smtp_host: str | None = None  # unset: email deliveries are skipped
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = FROM
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    vapid_private_key: str | None = None  # unset: push deliveries are skipped
    vapid_public_key: str | None = None  # handed to browsers (`pushPublicKey`)
    vapid_subject: str = SUBJECT
    push_allow_private: bool = False  # tests only: the SSRF guard refuses private endpoints
    push_ttl: int = 3600
    public_url: str = PUBLIC_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeliveryConfig:
        env = os.environ if env is None else env
        return cls(
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM", FROM),
            smtp_starttls=env.get("SMTP_STARTTLS", "false").lower() in _TRUE,
            vapid_private_key=env.get("VAPID_PRIVATE_KEY") or None,
            vapid_public_key=env.get("VAPID_PUBLIC_KEY") or None,
            vapid_subject=env.get("VAPID_SUBJECT", SUBJECT),
            push_allow_private=env.get("PUSH_ALLOW_PRIVATE", "false").lower() in _TRUE,
            public_url=env.get("PUBLIC_URL", PUBLIC_URL),
        )
