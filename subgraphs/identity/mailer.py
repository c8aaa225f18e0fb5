"""Outgoing email port: SMTP (`SmtpMailer`, when `SMTP_HOST` is set), memory (tests) or the
log (development default: the link to follow is printed)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from subgraphs.kit.app import request_id_var
from subgraphs.kit.mail import SmtpMail

logger = logging.getLogger("subgraphs.identity.mail")


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    body: str
    kind: str  # invitation | password_reset
    token: str


class Mailer(Protocol):
    async def send(self, message: EmailMessage, session: AsyncSession | None = None) -> None:
        """`session`: the transaction that created the message's token; a mailer that really
        sends waits for its commit (and drops the message if it rolls back)."""


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage, session: AsyncSession | None = None) -> None:
        self.sent.append(message)

    def last(self, to: str, kind: str) -> EmailMessage:
        return next(m for m in reversed(self.sent) if m.to == to and m.kind == kind)


class LogMailer:
    async def send(self, message: EmailMessage, session: AsyncSession | None = None) -> None:
        logger.warning("[mail to %s] %s\n%s", message.to, message.subject, message.body)


class SmtpMailer:
    """Sends through `subgraphs.kit.mail` after the transaction that created the token commits
    (never when it rolls back), on a background task: the mutation neither waits for the SMTP
    server nor fails with it (a failure is a WARNING with the request id; the invitation or
    reset token exists and can be sent again).
    """

    def __init__(self, mail: SmtpMail) -> None:
        self.mail = mail
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, message: EmailMessage, session: AsyncSession | None = None) -> None:
        request_id = request_id_var.get()
        if session is not None and session.in_transaction():
            session.sync_session.info.setdefault(_PENDING, []).append((self, message, request_id))
        else:
            self.start(message, request_id)

    def start(self, message: EmailMessage, request_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(message, request_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, message: EmailMessage, request_id: str) -> None:
        try:
            await self.mail.send(message.to, message.subject, message.body)
        except Exception as exc:  # any SMTP/network failure is only logged
            logger.warning(
                "%s mail to %s not sent (request %s): %r", message.kind, message.to, request_id, exc
            )

    async def drain(self) -> None:
        """Wait for the messages in flight (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)


_PENDING = "identity_smtp_mail"


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    for mailer, message, request_id in session.info.pop(_PENDING, []):
        mailer.start(message, request_id)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back or closed: the token never existed
