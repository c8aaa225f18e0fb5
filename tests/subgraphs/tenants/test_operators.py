"""Platform operators: the CLI creates them (argon2id), `operatorLogin` signs them in (uniform
failures, throttling, TOTP with replay protection) and issues an `op+jwt` with no tenant."""

from __future__ import annotations

import asyncio
import base64
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from saas_platform.cli import root
from saas_platform.settings import Settings
from saas_platform.tenancy.runtime import open_control
from subgraphs.identity import totp
from subgraphs.identity.service.operators import enroll_operator_totp
from subgraphs.tenants.models import Operator
from tests.subgraphs.tenants.platform import (
    OPERATOR_EMAIL,
    OPERATOR_LOGIN,
    OPERATOR_PASSWORD,
    Platform,
)


async def operator_login(platform: Platform, password: str, code: str | None = None,
                         email: str = OPERATOR_EMAIL) -> dict[str, Any]:  # fmt: skip
    response = await platform.identity.post(
        "/graphql",
        json={
            "query": OPERATOR_LOGIN,
            "variables": {"email": email, "password": password, "code": code},
        },
    )
    result: dict[str, Any] = response.json()["data"]["operatorLogin"]
    return result


def codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def test_operator_token_has_its_own_type_and_audience_and_no_tenant(
    platform: Platform,
) -> None:
    result = await operator_login(platform, OPERATOR_PASSWORD)
    assert result["operator"]["email"] == OPERATOR_EMAIL
    token = result["accessToken"]
    assert jwt.get_unverified_header(token)["typ"] == "op+jwt"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "saas-platform-operators"
    assert claims["kind"] == "operator"
    assert "tid" not in claims
    assert claims["exp"] - claims["iat"] == 900


async def test_failures_are_uniform_and_throttled(platform: Platform) -> None:
    unknown = await operator_login(platform, OPERATOR_PASSWORD, email="nobody@platform.test")
    wrong = await operator_login(platform, "not-the-password")
    assert codes(unknown) == codes(wrong) == ["INVALID_CREDENTIALS"]
    for _ in range(4):
        await operator_login(platform, "not-the-password")
    throttled = await operator_login(platform, OPERATOR_PASSWORD)
    assert codes(throttled) == ["TOO_MANY_ATTEMPTS"]


async def test_operator_totp_is_required_once_enrolled_and_not_replayable(
    platform: Platform,
) -> None:
    async with platform.runtime.control.session() as session:
        uri = await enroll_operator_totp(session, platform.deps.secrets, OPERATOR_EMAIL)
        await session.commit()
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert codes(await operator_login(platform, OPERATOR_PASSWORD)) == ["INVALID_MFA_CODE"]
    code = totp.totp(key, time.time())
    assert codes(await operator_login(platform, OPERATOR_PASSWORD, code)) == []
    replay = await operator_login(platform, OPERATOR_PASSWORD, code)
    assert codes(replay) == ["INVALID_MFA_CODE"]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_cli_creates_the_first_operator_with_an_argon2id_hash(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPERATOR_PASSWORD", OPERATOR_PASSWORD)
    created = cli.invoke(root, ["operators", "create", "--email", "Root@Example.com"])
    assert created.exit_code == 0, created.output
    again = cli.invoke(root, ["operators", "create", "--email", "root@example.com"])
    assert again.exit_code == 1
    assert "EMAIL_TAKEN" in again.output
    monkeypatch.setenv("OPERATOR_PASSWORD", "short")
    weak = cli.invoke(root, ["operators", "create", "--email", "b@example.com"])
    assert (weak.exit_code, "WEAK_PASSWORD" in weak.output) == (1, True)
    monkeypatch.delenv("OPERATOR_PASSWORD")
    prompted = cli.invoke(
        root, ["operators", "create", "--email", "c@example.com"],
        input=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n",
    )  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    listed = cli.invoke(root, ["operators", "list"])
    assert "root@example.com" in listed.output
    assert "c@example.com" in listed.output
    assert cli.invoke(root, ["operators", "disable", "--email", "c@example.com"]).exit_code == 0

    async def stored() -> list[tuple[str, str, str]]:
        control = open_control(Settings.from_env())
        try:
            async with control.session() as session:
                rows = (await session.scalars(select(Operator).order_by(Operator.email))).all()
                return [(r.email, r.status, r.password_hash.split("$")[1]) for r in rows]
        finally:
            await control.dispose()

    assert asyncio.run(stored()) == [
        ("c@example.com", "DISABLED", "argon2id"),
        ("root@example.com", "ACTIVE", "argon2id"),
    ]
