"""Outgoing email over SMTP with aiosmtplib (no domain knowledge).

`SmtpConfig.from_env()` reads `SMTP_HOST/PORT/USER/PASSWORD/FROM/STARTTLS`
(docs/configuration.md); `SmtpMail(config).send(to, subject, text, html)` sends one message,
multipart/alternative when there is an HTML part.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

__all__ = ["DEFAULT_FROM", "SmtpConfig", "SmtpMail"]

DEFAULT_FROM = "SaaS Platform <notifications@localhost>"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str | None = None  # unset: nothing can be sent (`SmtpMail.enabled` is false)
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_FROM
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpConfig:
        env = os.environ if env is None else env
        return cls(
            host=env.get("SMTP_HOST") or None,
            port=int(env.get("SMTP_PORT", "25")),
            user=env.get("SMTP_USER") or None,
            password=env.get("SMTP_PASSWORD") or None,
            sender=env.get("SMTP_FROM", DEFAULT_FROM),
            starttls=env.get("SMTP_STARTTLS", "false").lower() in _TRUE,
        )


class SmtpMail:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return self.config.host is not None

    def build(self, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    async def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Raises aiosmtplib.SMTPException / OSError on failure; callers decide to retry."""
        config = self.config
        await aiosmtplib.send(
            self.build(to, subject, text, html),
            hostname=config.host,
            port=config.port,
            username=config.user,
            password=config.password,
            start_tls=config.starttls,
            timeout=config.timeout,
        )
