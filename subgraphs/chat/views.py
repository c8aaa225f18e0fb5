"""Plain snapshots of chat rows: what services return, realtime carries and types render.

A subscription event carries the same snapshot a query builds from the row, so state built
from events equals state fetched afterwards (Zulip's `verify_action`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from subgraphs.chat import models


def _time(value: datetime | None) -> str | None:
    moment = models.aware(value)
    return moment.isoformat() if moment is not None else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    url: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageView:
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    kind: models.MessageKind
    author_kind: models.AuthorKind
    author_id: uuid.UUID | None
    body: str
    attachments: tuple[Attachment, ...]  # legacy references (name, url) written before files
    mentions: tuple[uuid.UUID, ...]
    created_at: datetime
    file_ids: tuple[uuid.UUID, ...] = ()  # File entities of the files subgraph

    @property
    def private(self) -> bool:
        return self.kind is models.MessageKind.NOTE

    @classmethod
    def of(cls, row: models.ChatMessage) -> MessageView:
        stored = orjson.loads(row.attachments or "[]")
        files = [f for f in stored if "file_id" not in f]
        file_ids = tuple(uuid.UUID(f["file_id"]) for f in stored if "file_id" in f)
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            seq=row.seq,
            kind=models.MessageKind(row.kind),
            author_kind=models.AuthorKind(row.author_kind),
            author_id=row.author_id,
            body=row.body,
            attachments=tuple(Attachment(**f) for f in files),
            mentions=tuple(uuid.UUID(m) for m in orjson.loads(row.mentions or "[]")),
            created_at=models.aware(row.created_at) or row.created_at,
            file_ids=file_ids,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "conversation_id": str(self.conversation_id),
            "seq": self.seq,
            "kind": self.kind.value,
            "author_kind": self.author_kind.value,
            "author_id": str(self.author_id) if self.author_id else None,
            "body": self.body,
            "attachments": [
                {"name": a.name, "url": a.url, "content_type": a.content_type, "size": a.size}
                for a in self.attachments
            ],
            "mentions": [str(m) for m in self.mentions],
            "created_at": _time(self.created_at),
            "file_ids": [str(f) for f in self.file_ids],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MessageView:
        return cls(
            id=uuid.UUID(data["id"]),
            conversation_id=uuid.UUID(data["conversation_id"]),
            seq=int(data["seq"]),
            kind=models.MessageKind(data["kind"]),
            author_kind=models.AuthorKind(data["author_kind"]),
            author_id=_uuid(data["author_id"]),
            body=str(data["body"]),
            attachments=tuple(Attachment(**a) for a in data["attachments"]),
            mentions=tuple(uuid.UUID(m) for m in data["mentions"]),
            created_at=_parse_time(data["created_at"]) or datetime.min,
            file_ids=tuple(uuid.UUID(f) for f in data.get("file_ids") or ()),
        )


@dataclass(frozen=True, slots=True)
class ConversationView:
    id: uuid.UUID
    inbox_id: uuid.UUID
    contact_id: uuid.UUID
    status: models.ConversationStatus
    priority: models.ConversationPriority
    subject: str
    assignee_id: uuid.UUID | None
    queued_at: datetime | None
    snoozed_until: datetime | None
    ticket_id: uuid.UUID | None
    ticket_state: models.TicketLinkState | None
    merged_into_id: uuid.UUID | None
    message_count: int
    created_at: datetime
    updated_at: datetime
    required_skills: tuple[str, ...] = ()  # routing: only agents holding all of them

    @classmethod
    def of(cls, row: models.ChatConversation) -> ConversationView:
        return cls(
            id=row.id,
            inbox_id=row.inbox_id,
            contact_id=row.contact_id,
            status=models.ConversationStatus(row.status),
            priority=models.ConversationPriority(row.priority),
            subject=row.subject,
            assignee_id=row.assignee_id,
            queued_at=models.aware(row.queued_at),
            snoozed_until=models.aware(row.snoozed_until),
            ticket_id=row.ticket_id,
            ticket_state=models.TicketLinkState(row.ticket_state) if row.ticket_state else None,
            merged_into_id=row.merged_into_id,
            message_count=row.message_seq,
            created_at=models.aware(row.created_at) or row.created_at,
            updated_at=models.aware(row.updated_at) or row.updated_at,
            required_skills=tuple(orjson.loads(row.required_skills or "[]")),
        )

    def to_json(self) -> dict[str, Any]:
        def text(value: uuid.UUID | None) -> str | None:
            return str(value) if value else None

        return {
            "id": str(self.id),
            "inbox_id": str(self.inbox_id),
            "contact_id": str(self.contact_id),
            "status": self.status.value,
            "priority": self.priority.value,
            "subject": self.subject,
            "assignee_id": text(self.assignee_id),
            "queued_at": _time(self.queued_at),
            "snoozed_until": _time(self.snoozed_until),
            "ticket_id": text(self.ticket_id),
            "ticket_state": self.ticket_state.value if self.ticket_state else None,
            "merged_into_id": text(self.merged_into_id),
            "message_count": self.message_count,
            "created_at": _time(self.created_at),
            "updated_at": _time(self.updated_at),
            "required_skills": list(self.required_skills),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationView:
        state = data["ticket_state"]
        return cls(
            id=uuid.UUID(data["id"]),
            inbox_id=uuid.UUID(data["inbox_id"]),
            contact_id=uuid.UUID(data["contact_id"]),
            status=models.ConversationStatus(data["status"]),
            priority=models.ConversationPriority(data["priority"]),
            subject=str(data["subject"]),
            assignee_id=_uuid(data["assignee_id"]),
            queued_at=_parse_time(data["queued_at"]),
            snoozed_until=_parse_time(data["snoozed_until"]),
            ticket_id=_uuid(data["ticket_id"]),
            ticket_state=models.TicketLinkState(state) if state else None,
            merged_into_id=_uuid(data["merged_into_id"]),
            message_count=int(data["message_count"]),
            created_at=_parse_time(data["created_at"]) or datetime.min,
            updated_at=_parse_time(data["updated_at"]) or datetime.min,
            required_skills=tuple(data.get("required_skills") or ()),
        )
