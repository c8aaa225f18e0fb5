"""GraphQL shape of the notifications subgraph (names prefixed: one supergraph)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.graphql_errors import UserError
from subgraphs.notifications import models
from subgraphs.notifications.deps import NotificationsDeps
from subgraphs.notifications.preferences import Channels

Ctx = Info[SubgraphContext[NotificationsDeps], None]
NotificationKind = strawberry.enum(models.NotificationKind, name="NotificationKind")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _id(value: uuid.UUID | str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="Something that happened for the user.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind  # type: ignore[valid-type]
    title: str
    body: str
    link: str | None = strawberry.field(description="App path of the subject, e.g. /tickets/<id>.")
    subject_type: str | None = strawberry.field(description="ticket, task or conversation.")
    subject_id: strawberry.ID | None
    actor_id: strawberry.ID | None = strawberry.field(description="Who caused it (a user id).")
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: models.Notification) -> Notification:
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=models.NotificationKind(row.kind),
            title=row.title,
            body=row.body,
            link=row.link,
            subject_type=row.subject_type,
            subject_id=_id(row.subject_id),
            actor_id=_id(row.actor_id),
            read_at=_aware(row.read_at),
            created_at=_aware(row.created_at) or row.created_at,
        )

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Notification:
        read = data.get("read_at")
        return cls(
            id=strawberry.ID(str(data["id"])),
            kind=models.NotificationKind(str(data["kind"])),
            title=str(data["title"]),
            body=str(data["body"]),
            link=str(data["link"]) if data.get("link") else None,
            subject_type=str(data["subject_type"]) if data.get("subject_type") else None,
            subject_id=_id(data.get("subject_id")),  # type: ignore[arg-type]
            actor_id=_id(data.get("actor_id")),  # type: ignore[arg-type]
            read_at=datetime.fromisoformat(str(read)) if read else None,
            created_at=datetime.fromisoformat(str(data["created_at"])),
        )


@strawberry.type(description="Channels on which one kind of notification is delivered.")
class NotificationPreference:
    kind: NotificationKind  # type: ignore[valid-type]
    in_app: bool
    email: bool
    push: bool

    @classmethod
    def of(cls, kind: models.NotificationKind, channels: Channels) -> NotificationPreference:
        return cls(kind=kind, in_app=channels.in_app, email=channels.email, push=channels.push)


@strawberry.type
class NotificationSettings:
    email: str | None = strawberry.field(description="Where email notifications go.")
    handle: str | None = strawberry.field(description="The @handle that mentions you.")


@strawberry.type
class PushSubscription:
    id: strawberry.ID
    endpoint: str
    created_at: datetime


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = None
    all: bool = False


@strawberry.input
class NotificationPreferenceInput:
    kind: NotificationKind  # type: ignore[valid-type]
    in_app: bool
    email: bool
    push: bool


@strawberry.input
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput]


@strawberry.input
class UpdateNotificationSettingsInput:
    email: str | None = strawberry.field(default=None, description='"" clears it.')
    handle: str | None = strawberry.field(default=None, description='"" clears it.')


@strawberry.input
class RegisterPushSubscriptionInput:
    endpoint: str
    p256dh: str = strawberry.field(description="The browser's P-256 public key, base64url.")
    auth: str = strawberry.field(description="The browser's auth secret, base64url.")


@strawberry.input
class UnregisterPushSubscriptionInput:
    endpoint: str


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int
    unread_count: int
    user_errors: list[UserError]


@strawberry.type
class UpdateNotificationPreferencesPayload:
    preferences: list[NotificationPreference]
    user_errors: list[UserError]


@strawberry.type
class UpdateNotificationSettingsPayload:
    settings: NotificationSettings | None
    user_errors: list[UserError]


@strawberry.type
class RegisterPushSubscriptionPayload:
    subscription: PushSubscription | None
    user_errors: list[UserError]


@strawberry.type
class UnregisterPushSubscriptionPayload:
    removed: bool
    user_errors: list[UserError]
