"""Outgoing email port. SMTP delivery comes with the notifications issue; until then messages
go to memory (tests) or to the log (development: the link to follow is printed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger("subgraphs.identity.mail")


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    body: str
    kind: str  # invitation | password_reset
    token: str


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def last(self, to: str, kind: str) -> EmailMessage:
        return next(m for m in reversed(self.sent) if m.to == to and m.kind == kind)


class LogMailer:
    async def send(self, message: EmailMessage) -> None:
        logger.warning("[mail to %s] %s\n%s", message.to, message.subject, message.body)
