"""`saas-platform identity ...`: signing keys of the identity service."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saas_platform.settings import Settings
from subgraphs.identity.keyring import (
    PUBLISH_BEFORE_SIGN,
    KeyFile,
    KeyRingError,
    load_keyring,
    load_secret,
    rotate,
)

app = typer.Typer(no_args_is_help=True, help="Identity: signing keys (JWKS).")
console = Console()


def _key_file(settings: Settings) -> KeyFile:
    return KeyFile(
        settings.data_dir / "identity" / "signing-keys.enc", load_secret(settings.data_dir)
    )


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command("rotate-key")
def rotate_key(
    immediate: Annotated[
        bool,
        typer.Option(help="Sign with the new key at once (tokens may fail on stale JWKS caches)."),
    ] = False,
) -> None:
    """Add a new Ed25519 signing key; the current key retires when the new one starts signing.

    The new key is published in the JWKS at once and signs after 330 s unless --immediate;
    the retired key stays published until the tokens it signed have expired. Running servers
    pick the change up within seconds.
    """
    if os.environ.get("JWT_PRIVATE_KEYS"):
        typer.secho(
            "JWT_PRIVATE_KEYS is set: keys come from configuration; rotate them there "
            "(append the new PEM, remove the old one after 15 minutes).",
            fg=typer.colors.YELLOW,
            err=True,
        )
        raise typer.Exit(1)
    settings = Settings.from_env()
    try:
        key_file = _key_file(settings)
        load_keyring(settings.data_dir)  # creates the first key on a fresh DATA_DIR
        new = rotate(key_file, immediate=immediate)
    except KeyRingError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    delay = "now" if immediate else f"in {int(PUBLISH_BEFORE_SIGN)} s"
    typer.echo(f"new signing key {new.kid} ({new.algorithm}), published now, signs {delay}")


@app.command("keys")
def keys() -> None:
    """List the signing keys and their state."""
    settings = Settings.from_env()
    try:
        ring = load_keyring(settings.data_dir)
    except KeyRingError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    signing = ring.signing_key().kid
    table = Table("kid", "alg", "created", "signs from", "retired", "state")
    for key in ring.published():
        state = "signing" if key.kid == signing else ("retired" if key.retired_at else "next")
        table.add_row(
            key.kid,
            key.algorithm,
            _when(key.created_at),
            _when(key.activates_at),
            _when(key.retired_at),
            state,
        )
    console.print(table)
