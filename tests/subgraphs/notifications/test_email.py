"""Email delivery over SMTP to a real aiosmtpd server on an ephemeral 127.0.0.1 port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from subgraphs.notifications.delivery import DeliveryConfig
from subgraphs.notifications.templates import render_email
from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.notifications.harness import SETTINGS, NotificationsHarness, Team
from tests.subgraphs.smtp_inbox import Inbox, free_port, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def _assigned(team: Team) -> TicketAssigned:
    return TicketAssigned(
        tenant_id=team.tenant_id,
        actor=str(team.owner.id),
        ticket_id=uuid.uuid4(),
        assignee_id=team.agent.id,
        previous_assignee_id=None,
        rule="manual",
    )


async def test_assignment_email_reaches_the_smtp_server(
    nh: NotificationsHarness, team: Team, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    address = f"agent@{team.tenant.slug}.test"
    await nh.ok(SETTINGS, {"email": address}, team=team, who=team.agent)
    event = _assigned(team)
    await nh.deliver(team, event)
    config = DeliveryConfig(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="Desk <desk@example.test>",
        public_url="https://app.example.test",
    )  # fmt: skip
    stats = await nh.dispatch(team, nh.dispatcher(config))
    assert stats.sent == 2
    assert stats.failed == 0
    ((sender, recipients, message),) = inbox.messages
    assert sender == "desk@example.test"
    assert recipients == [address]
    assert message["Subject"] == "A ticket was assigned to you"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    link = f"https://app.example.test/tickets/{event.ticket_id}"
    assert link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    # sent once: a second run finds nothing due
    again = await nh.dispatch(team, nh.dispatcher(config))
    assert again.sent == 0
    assert len(inbox.messages) == 1


async def test_no_address_skips_and_smtp_failure_retries(
    nh: NotificationsHarness, team: Team
) -> None:
    await nh.deliver(team, _assigned(team))
    closed = DeliveryConfig(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout=2)
    stats = await nh.dispatch(team, nh.dispatcher(closed))
    assert stats.skipped == 1  # no address set: email skipped; in-app sent
    await nh.ok(SETTINGS, {"email": "a@b.test"}, team=team, who=team.agent)
    await nh.deliver(team, _assigned(team))
    failed = await nh.dispatch(team, nh.dispatcher(closed))
    assert failed.retried == 1
    assert failed.sent == 1


def test_html_is_escaped() -> None:
    rendered = render_email("<b>x</b>", "a & b", "/t/1", "https://h")
    assert "&lt;b&gt;x&lt;/b&gt;" in rendered.html
    assert "a &amp; b" in rendered.html
    assert rendered.text.startswith("<b>x</b>")
