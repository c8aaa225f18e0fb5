"""`saas-platform operators ...`: platform operators (control database).

saas-platform operators create --email ops@example.com   # password: OPERATOR_PASSWORD or prompt
saas-platform operators list
saas-platform operators enroll-mfa --email ops@example.com  # prints the otpauth:// URI once
saas-platform operators disable --email ops@example.com     # its tokens die at once
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from saas_platform.commands.control import run_on_control
from saas_platform.settings import Settings
from subgraphs.identity.keyring import load_secret, secret_box
from subgraphs.identity.passwords import HashingService, ScryptHasher, default_hasher
from subgraphs.identity.service.operators import create_operator, enroll_operator_totp
from subgraphs.kit.db import Database
from subgraphs.tenants.models import Operator, OperatorStatus
from subgraphs.tenants.repository import OperatorRepository

app = typer.Typer(no_args_is_help=True, help="Platform operators: administer every tenant.")
console = Console()
T = TypeVar("T")
EmailOption = Annotated[str, typer.Option("--email", help="The operator's email address.")]


def _run(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    return run_on_control(work, console)


def _password() -> str:
    from_env = os.environ.get("OPERATOR_PASSWORD")
    if from_env:
        return from_env
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command()
def create(email: EmailOption) -> None:
    """Create an operator (the first one bootstraps the platform's administration)."""
    password = _password()

    async def work(control: Database, _: Settings) -> Operator:
        hashing = HashingService(default_hasher(), others=[ScryptHasher()])
        async with control.session() as session:
            operator = await create_operator(session, hashing, email, password)
            await session.commit()
            return operator

    operator = _run(work)
    console.print(f"operator [bold]{operator.email}[/bold] created ({operator.id})")


@app.command("list")
def list_operators() -> None:
    """Operators, their status and whether MFA is on."""

    async def work(control: Database, _: Settings) -> list[Operator]:
        async with control.session() as session:
            return list(await OperatorRepository(session).list_all())

    table = Table("email", "status", "mfa", "last login", title="Operators")
    for operator in _run(work):
        last = f"{operator.last_login_at:%Y-%m-%d %H:%M}" if operator.last_login_at else "-"
        table.add_row(operator.email, operator.status, str(operator.mfa_enabled), last)
    console.print(table)


@app.command("enroll-mfa")
def enroll_mfa(email: EmailOption) -> None:
    """Require a TOTP code at this operator's sign-in; prints the otpauth:// URI once."""

    async def work(control: Database, settings: Settings) -> str:
        box = secret_box(load_secret(settings.data_dir), "identity-totp-secrets")
        async with control.session() as session:
            uri = await enroll_operator_totp(session, box, email)
            await session.commit()
            return uri

    console.print(_run(work))


@app.command()
def disable(email: EmailOption) -> None:
    """Disable an operator: its tokens are refused at the next request."""

    async def work(control: Database, _: Settings) -> None:
        async with control.session() as session:
            operator = await OperatorRepository(session).find_by_email(email.strip().lower())
            if operator is None:
                console.print("[red]OPERATOR_NOT_FOUND[/red]")
                raise typer.Exit(1)
            operator.status = OperatorStatus.DISABLED.value
            await session.commit()

    _run(work)
    console.print(f"operator {email} disabled")
