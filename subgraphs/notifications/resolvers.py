# mypy: disable-error-code="untyped-decorator"
"""Queries, mutations and the subscription: the current user's notifications only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.graphql_errors import UserError
from subgraphs.kit.payloads import guard
from subgraphs.kit.relay import Connection, connection_from_rows, decode_cursor, page_size
from subgraphs.notifications import models, realtime, service
from subgraphs.notifications.preferences import Channels
from subgraphs.notifications.types import (
    Ctx,
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
    RegisterPushSubscriptionInput,
    RegisterPushSubscriptionPayload,
    UnregisterPushSubscriptionInput,
    UnregisterPushSubscriptionPayload,
    UpdateNotificationPreferencesInput,
    UpdateNotificationPreferencesPayload,
    UpdateNotificationSettingsInput,
    UpdateNotificationSettingsPayload,
)

T = TypeVar("T")


def _me(info: Ctx) -> uuid.UUID:
    return info.context.require_principal().user_id


async def _read(info: Ctx, work: Callable[[AsyncSession, uuid.UUID], Awaitable[T]]) -> T:
    user_id = _me(info)
    async with info.context.sessions.read() as session:
        return await work(session, user_id)


async def _write(
    info: Ctx, work: Callable[[AsyncSession, uuid.UUID], Awaitable[T]]
) -> T | list[UserError]:
    user_id = _me(info)

    async def run() -> T:
        return await work(await info.context.sessions.write(), user_id)

    return await guard(info.context, run())


def _settings(row: object) -> NotificationSettings:
    return NotificationSettings(
        email=getattr(row, "email", None), handle=getattr(row, "handle", None)
    )


def _push(row: models.PushSubscription) -> PushSubscription:
    return PushSubscription(
        id=strawberry.ID(str(row.id)), endpoint=row.endpoint, created_at=row.created_at
    )


@strawberry.type
class Query:
    @strawberry.field(description="Your notifications, newest first.")
    async def notifications(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification]:
        size, key = page_size(first), decode_cursor(after)
        page = await _read(
            info,
            lambda s, me: service.list_notifications(
                s, me, size=size, after=key, unread_only=unread_only
            ),
        )
        return connection_from_rows(
            [Notification.of(r) for r in page.rows],
            size=size,
            had_cursor=page.had_cursor,
            key=lambda n: service.cursor_key_of(n.created_at, n.id),
        )

    @strawberry.field(description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: Ctx) -> int:
        return await _read(info, service.unread_count)

    @strawberry.field(description="Your channels per kind (defaults where you chose nothing).")
    async def notification_preferences(self, info: Ctx) -> list[NotificationPreference]:
        found = await _read(info, service.preferences)
        return [NotificationPreference.of(kind, channels) for kind, channels in found]

    @strawberry.field
    async def notification_settings(self, info: Ctx) -> NotificationSettings:
        return _settings(await _read(info, service.settings))

    @strawberry.field(description="Your browsers registered for Web Push.")
    async def push_subscriptions(self, info: Ctx) -> list[PushSubscription]:
        return [_push(r) for r in await _read(info, service.push_subscriptions)]

    @strawberry.field(description="The VAPID public key browsers subscribe with.")
    def push_public_key(self, info: Ctx) -> str | None:
        return info.context.deps.config.vapid_public_key


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mark some (`ids`) or `all` of your notifications read.")
    async def mark_notifications_read(
        self, info: Ctx, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ids = None if input.ids is None else [str(i) for i in input.ids]

        async def work(session: AsyncSession, me: uuid.UUID) -> tuple[int, int]:
            marked = await service.mark_read(session, me, ids, input.all)
            return marked, await service.unread_count(session, me)

        result = await _write(info, work)
        if isinstance(result, list):
            return MarkNotificationsReadPayload(marked=0, unread_count=0, user_errors=result)
        return MarkNotificationsReadPayload(
            marked=result[0], unread_count=result[1], user_errors=[]
        )

    @strawberry.mutation
    async def update_notification_preferences(
        self, info: Ctx, input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        changes = [
            (p.kind, Channels(in_app=p.in_app, email=p.email, push=p.push))
            for p in input.preferences
        ]

        async def work(session: AsyncSession, me: uuid.UUID) -> tuple[Any, ...]:
            return tuple(await service.set_preferences(session, me, changes))

        result = await _write(info, work)
        if isinstance(result, list):
            return UpdateNotificationPreferencesPayload(preferences=[], user_errors=result)
        found = [NotificationPreference.of(kind, channels) for kind, channels in result]
        return UpdateNotificationPreferencesPayload(preferences=found, user_errors=[])

    @strawberry.mutation
    async def update_notification_settings(
        self, info: Ctx, input: UpdateNotificationSettingsInput
    ) -> UpdateNotificationSettingsPayload:
        result = await _write(
            info, lambda s, me: service.update_settings(s, me, input.email, input.handle)
        )
        if isinstance(result, list):
            return UpdateNotificationSettingsPayload(settings=None, user_errors=result)
        return UpdateNotificationSettingsPayload(settings=_settings(result), user_errors=[])

    @strawberry.mutation(description="Register this browser for Web Push.")
    async def register_push_subscription(
        self, info: Ctx, input: RegisterPushSubscriptionInput
    ) -> RegisterPushSubscriptionPayload:
        sender = info.context.deps.push_sender()
        result = await _write(
            info,
            lambda s, me: service.register_push(
                s, me, sender, endpoint=input.endpoint, p256dh=input.p256dh, auth=input.auth
            ),
        )
        if isinstance(result, list):
            return RegisterPushSubscriptionPayload(subscription=None, user_errors=result)
        return RegisterPushSubscriptionPayload(subscription=_push(result), user_errors=[])

    @strawberry.mutation
    async def unregister_push_subscription(
        self, info: Ctx, input: UnregisterPushSubscriptionInput
    ) -> UnregisterPushSubscriptionPayload:
        result = await _write(info, lambda s, me: service.unregister_push(s, me, input.endpoint))
        if isinstance(result, list):
            return UnregisterPushSubscriptionPayload(removed=False, user_errors=result)
        return UnregisterPushSubscriptionPayload(removed=result, user_errors=[])


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Your new notifications, as they are created.")
    async def notification_added(self, info: Ctx) -> AsyncGenerator[Notification, None]:
        principal = info.context.require_principal()
        name = realtime.user_channel(principal.tenant_id, principal.user_id)
        async for message in info.context.deps.pubsub.subscribe(name):
            yield Notification.from_json(orjson.loads(message))
