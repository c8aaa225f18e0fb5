"""SMTP delivery with aiosmtplib: one multipart/alternative message (text + HTML)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.templates import Email


class SmtpSender:
    def __init__(self, config: DeliveryConfig) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return self.config.smtp_host is not None

    def build(self, to: str, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.smtp_from
        message["To"] = to
        message["Subject"] = email.subject
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message

    async def send(self, to: str, email: Email) -> None:
        """Raises aiosmtplib.SMTPException / OSError on failure (the dispatcher retries)."""
        config = self.config
        await aiosmtplib.send(
            self.build(to, email),
            hostname=config.smtp_host,
            port=config.smtp_port,
            username=config.smtp_user,
            password=config.smtp_password,
            start_tls=config.smtp_starttls,
            timeout=config.smtp_timeout,
        )
