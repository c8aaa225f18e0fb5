"""Default channels per notification kind (a user's saved row overrides them)."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.notifications.models import NotificationKind, NotificationPreference


@dataclass(frozen=True, slots=True)
class Channels:
    in_app: bool
    email: bool
    push: bool


_K = NotificationKind
# in-app for everything; email for what needs action when away from the app; push for what
# is urgent or conversational
DEFAULTS: dict[NotificationKind, Channels] = {
    _K.TICKET_ASSIGNED: Channels(in_app=True, email=True, push=False),
    _K.CONVERSATION_ASSIGNED: Channels(in_app=True, email=False, push=True),
    _K.MENTIONED: Channels(in_app=True, email=True, push=True),
    _K.SLA_WARNING: Channels(in_app=True, email=False, push=True),
    _K.SLA_BREACHED: Channels(in_app=True, email=True, push=True),
    _K.CHAT_MESSAGE: Channels(in_app=True, email=False, push=True),
    _K.WEBHOOK_DISABLED: Channels(in_app=True, email=True, push=False),
}


def channels_for(kind: NotificationKind, saved: NotificationPreference | None) -> Channels:
    if saved is None:
        return DEFAULTS[kind]
    return Channels(in_app=saved.in_app, email=saved.email, push=saved.push)
