"""Texts of notifications: a title and body per kind (in-app and push), and the email
(subject, plain text, HTML) built from them. stdlib `string.Template`; values are escaped
for HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template

from subgraphs.notifications.models import NotificationKind

_K = NotificationKind
TITLES: dict[NotificationKind, Template] = {
    _K.TICKET_ASSIGNED: Template("A ticket was assigned to you"),
    _K.CONVERSATION_ASSIGNED: Template("A conversation was assigned to you"),
    _K.MENTIONED: Template("You were mentioned in $where"),
    _K.SLA_WARNING: Template("SLA $metric due soon on a ticket"),
    _K.SLA_BREACHED: Template("SLA $metric breached on a ticket"),
    _K.CHAT_MESSAGE: Template("New message in a conversation"),
    _K.WEBHOOK_DISABLED: Template("A webhook endpoint was disabled"),
}
BODIES: dict[NotificationKind, Template] = {
    _K.TICKET_ASSIGNED: Template("A ticket is now yours to handle."),
    _K.CONVERSATION_ASSIGNED: Template("A chat conversation is waiting for your reply."),
    _K.MENTIONED: Template("Someone mentioned you in $where."),
    _K.SLA_WARNING: Template("The $metric target is due at $due_at."),
    _K.SLA_BREACHED: Template("The $metric target was due at $due_at."),
    _K.CHAT_MESSAGE: Template("$preview"),
    _K.WEBHOOK_DISABLED: Template(
        "$url failed $failures times in a row; fix it, then enable it again."
    ),
}

EMAIL_TEXT = Template(
    "$title\n\n$body\n\n$link\n\n-- \nChange what you receive in your notification settings.\n"
)
EMAIL_HTML = Template(
    "<!doctype html><html><body>"
    "<h2>$title</h2><p>$body</p>$link_html"
    '<p style="color:#777">Change what you receive in your notification settings.</p>'
    "</body></html>"
)


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str


def render(kind: NotificationKind, values: dict[str, str]) -> tuple[str, str]:
    """(title, body) of a notification."""
    return TITLES[kind].safe_substitute(values), BODIES[kind].safe_substitute(values)


def render_email(title: str, body: str, link: str | None, base_url: str = "") -> Email:
    url = f"{base_url.rstrip('/')}{link}" if link else ""
    link_html = f'<p><a href="{html.escape(url)}">Open</a></p>' if url else ""
    return Email(
        subject=title,
        text=EMAIL_TEXT.substitute(title=title, body=body, link=url),
        html=EMAIL_HTML.substitute(
            title=html.escape(title), body=html.escape(body), link_html=link_html
        ),
    )
