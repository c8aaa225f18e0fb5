"""Identity mail over SMTP (`SmtpMailer`, chosen when `SMTP_HOST` is set) to a real aiosmtpd
server on an ephemeral 127.0.0.1 port; an unreachable server never fails the mutation."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select

from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app, default_deps
from subgraphs.identity.mailer import EmailMessage as Message
from subgraphs.identity.mailer import LogMailer, MemoryMailer, SmtpMailer
from subgraphs.identity.models import Invitation
from subgraphs.identity.passwords import HashingService
from subgraphs.identity.throttle import MemoryThrottle
from subgraphs.kit.auth.once import MemoryOnce
from subgraphs.kit.ids import TenantId
from tests.subgraphs.identity.harness import ACCEPT, FAST_HASHER, INVITE, PASSWORD, Harness
from tests.subgraphs.smtp_inbox import Inbox, free_port, smtp_server

PUBLIC = "https://app.example.test"
SENDER = "Identity <identity@example.test>"
RESET_REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) { ok } }"
RESET = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { ok } }"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@asynccontextmanager
async def smtp_harness(
    env: TenancyEnv, monkeypatch: pytest.MonkeyPatch, port: int
) -> AsyncIterator[tuple[Harness, SmtpMailer]]:
    """The identity app with its default mailer, configured from the environment."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", SENDER)
    monkeypatch.setenv("PUBLIC_URL", PUBLIC)
    runtime = build_runtime(env.settings)
    deps = default_deps(
        runtime, hashing=HashingService(FAST_HASHER), throttle=MemoryThrottle(), once=MemoryOnce()
    )
    assert isinstance(deps.mailer, SmtpMailer)
    transport = httpx.ASGITransport(app=build_app(runtime, deps), client=("10.0.0.1", 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
            provisioner = Provisioner(env.control, env.settings)
            yield Harness(runtime, deps, MemoryMailer(), client, provisioner), deps.mailer
    finally:
        await runtime.aclose()


def _link(message: EmailMessage, path: str, tenant_id: str) -> str:
    body = message.get_content()
    assert isinstance(body, str)
    prefix = re.escape(f"{PUBLIC}/{path}?tenant={tenant_id}&token=")
    found = re.search(prefix + r"(\S+)", body)
    assert found is not None, body
    return found.group(1)


async def test_invitation_and_reset_mails_reach_the_smtp_server(
    env: TenancyEnv, monkeypatch: pytest.MonkeyPatch, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    async with smtp_harness(env, monkeypatch, port) as (harness, mailer):
        tenant = await harness.owned_tenant()
        address = f"new-{uuid.uuid4().hex[:6]}@example.test"
        body = await harness.gql(
            INVITE, {"email": address, "role": "member"}, tenant=tenant.id,
            token=tenant.owner_token,
        )  # fmt: skip
        assert body["data"]["inviteUser"]["userErrors"] == [], body
        await mailer.drain()
        assert len(inbox.messages) == 1
        sender, recipients, message = inbox.messages[0]
        assert recipients == [address]
        assert message["To"] == address
        assert message["From"] == SENDER
        assert "identity@example.test" in sender
        assert message["Subject"] == f"You are invited to {tenant.slug}"
        token = _link(message, "accept-invitation", tenant.id)
        accepted = await harness.gql(
            ACCEPT, {"token": token, "name": "New", "password": PASSWORD}, tenant=tenant.id
        )
        assert accepted["data"]["acceptInvitation"]["userErrors"] == [], accepted

        body = await harness.gql(RESET_REQUEST, {"e": address}, tenant=tenant.id)
        assert body["data"]["requestPasswordReset"]["ok"] is True
        await mailer.drain()
        assert len(inbox.messages) == 2
        _, recipients, message = inbox.messages[1]
        assert recipients == [address]
        assert message["Subject"] == "Reset your password"
        token = _link(message, "reset-password", tenant.id)
        reset = await harness.gql(
            RESET, {"t": token, "p": "quiet-meadow-copper-77"}, tenant=tenant.id
        )
        assert reset["data"]["resetPassword"]["ok"] is True, reset


async def test_smtp_down_the_invitation_still_exists(
    env: TenancyEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with smtp_harness(env, monkeypatch, free_port()) as (harness, mailer):
        tenant = await harness.owned_tenant()
        address = f"down-{uuid.uuid4().hex[:6]}@example.test"
        request_id = uuid.uuid4().hex
        with caplog.at_level(logging.WARNING, logger="subgraphs.identity.mail"):
            body = await harness.gql(
                INVITE, {"email": address, "role": "member"}, tenant=tenant.id,
                token=tenant.owner_token, headers={"x-request-id": request_id},
            )  # fmt: skip
            assert body["data"]["inviteUser"]["userErrors"] == [], body
            assert body["data"]["inviteUser"]["invitation"]["email"] == address
            owner = f"owner@{tenant.slug}.test"
            reset = await harness.gql(RESET_REQUEST, {"e": owner}, tenant=tenant.id)
            assert reset["data"]["requestPasswordReset"]["ok"] is True
            await mailer.drain()
        warnings = [r.getMessage() for r in caplog.records if r.name == "subgraphs.identity.mail"]
        assert any(address in w and request_id in w for w in warnings), warnings
        assert any(owner in w and "password_reset" in w for w in warnings), warnings
        tenant_id = TenantId(uuid.UUID(tenant.id))
        async with harness.runtime.tenants.session(tenant_id) as session:
            rows = (await session.scalars(select(Invitation.email))).all()
        assert address in rows


async def test_mail_leaves_only_after_commit(
    env: TenancyEnv, monkeypatch: pytest.MonkeyPatch, smtp: tuple[Inbox, int]
) -> None:
    """A message sent with its token's session waits for that transaction: dropped on
    rollback, sent on commit."""
    inbox, port = smtp
    async with smtp_harness(env, monkeypatch, port) as (harness, mailer):
        tenant = TenantId(uuid.UUID((await harness.tenant()).id))

        async def invite(address: str, *, commit: bool) -> None:
            async with harness.runtime.tenants.session(tenant) as session:
                session.add(
                    Invitation(
                        email=address, role="member", token_hash=uuid.uuid4().hex,
                        expires_at=datetime.now(UTC) + timedelta(days=1),
                    )
                )  # fmt: skip
                await session.flush()
                await mailer.send(Message(address, "Hi", "body", "invitation", "t"), session)
                await mailer.drain()
                assert inbox.messages == []  # not before the commit
                await (session.commit() if commit else session.rollback())
            await mailer.drain()

        await invite("rolled@example.test", commit=False)
        assert inbox.messages == []
        await invite("kept@example.test", commit=True)
        assert [recipients for _, recipients, _ in inbox.messages] == [["kept@example.test"]]


def test_log_mailer_without_smtp_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from subgraphs.identity.app import default_mailer

    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert isinstance(default_mailer(), LogMailer)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    assert isinstance(default_mailer(), SmtpMailer)
