"""SMTP delivery of notification email through the kit (`subgraphs.kit.mail`): one
multipart/alternative message (text + HTML)."""

from __future__ import annotations

from email.message import EmailMessage

from subgraphs.kit.mail import SmtpConfig, SmtpMail
from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.templates import Email


class SmtpSender:
    def __init__(self, config: DeliveryConfig) -> None:
        self.config = config
        self.mail = SmtpMail(
            SmtpConfig(
                host=config.smtp_host,
                port=config.smtp_port,
                user=config.smtp_user,
                password=config.smtp_password,
                sender=config.smtp_from,
                starttls=config.smtp_starttls,
                timeout=config.smtp_timeout,
            )
        )

    @property
    def enabled(self) -> bool:
        return self.mail.enabled

    def build(self, to: str, email: Email) -> EmailMessage:
        return self.mail.build(to, email.subject, email.text, email.html)

    async def send(self, to: str, email: Email) -> None:
        """Raises aiosmtplib.SMTPException / OSError on failure (the dispatcher retries)."""
        await self.mail.send(to, email.subject, email.text, email.html)
