"""Field-change history: one `Change` row per field, old -> new as text.

`acting_via(label)` names what made the changes recorded inside it (`via`, e.g.
`automation: Escalate VIP`); the person whose change set it off stays the actor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import Change
from subgraphs.tickets.repository import ConversationRepository

_VIA: ContextVar[str | None] = ContextVar("tickets_change_via", default=None)


@contextmanager
def acting_via(label: str) -> Iterator[None]:
    token = _VIA.set(label[:160])
    try:
        yield
    finally:
        _VIA.reset(token)


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def record_change(
    session: AsyncSession,
    ticket_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    at: datetime,
    field: str,
    old: Any,
    new: Any,
) -> bool:
    old_text, new_text = text_of(old), text_of(new)
    if old_text == new_text:
        return False
    ConversationRepository(session).add_change(
        Change(
            ticket_id=ticket_id,
            actor_id=actor_id,
            at=at,
            field=field,
            old=old_text,
            new=new_text,
            via=_VIA.get(),
        )
    )
    return True
