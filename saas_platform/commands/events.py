"""`saas-platform events tail|dead-letters|replay`: look at and repair the event streams.

These commands talk to Redis (REDIS_URL); the embedded default keeps its streams inside the
`dev` process, where there is nothing to inspect from outside.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Inspect, tail and replay domain event streams.")
console = Console()


def _redis() -> Any:
    from redis.asyncio import Redis

    from saas_platform.settings import Settings

    settings = Settings.from_env()
    if not settings.redis_url:
        console.print("[red]REDIS_URL is not set[/red] (embedded streams live inside `dev`)")
        raise typer.Exit(2)
    return Redis.from_url(settings.redis_url, socket_timeout=10)


def _summary(fields: dict[str, str]) -> str:
    try:
        envelope = orjson.loads(fields.get("envelope", "{}"))
    except orjson.JSONDecodeError:
        return fields.get("envelope", "")[:80]
    return orjson.dumps(envelope.get("data", {})).decode()[:80]


@app.command()
def tail(
    domain: Annotated[str, typer.Argument(help="Event domain (stream events:<domain>).")],
    count: Annotated[int, typer.Option(help="Entries shown before following.")] = 20,
    follow: Annotated[bool, typer.Option("--follow/--no-follow", "-f")] = False,
) -> None:
    """Show the last entries of a domain stream, optionally following new ones."""
    asyncio.run(_tail(domain, count, follow))


async def _tail(domain: str, count: int, follow: bool) -> None:
    from subgraphs.kit.events import RedisStreams, stream_for

    client = _redis()
    streams = RedisStreams(client)
    name = stream_for(domain)
    try:
        entries = list(reversed(await streams.revrange(name, count)))
        for entry in entries:
            _print_entry(entry.id, entry.fields)
        last = entries[-1].id if entries else "$"
        while follow:
            reply = await client.xread({name: last}, block=5000, count=100)
            for _, items in reply or []:
                for entry_id, raw in items:
                    last = entry_id.decode()
                    _print_entry(last, {k.decode(): v.decode() for k, v in raw.items()})
    finally:
        await client.aclose()


def _print_entry(entry_id: str, fields: dict[str, str]) -> None:
    console.print(
        f"{entry_id}  {fields.get('event_type', '?'):<40} tenant={fields.get('tenant_id', '?')}"
        f"  {_summary(fields)}"
    )


@app.command("dead-letters")
def dead_letters(
    group: Annotated[str, typer.Argument(help="Consumer group (webhooks, jobs, ...).")],
    count: Annotated[int, typer.Option(help="Entries shown.")] = 50,
) -> None:
    """List the dead-letter stream of a consumer group (events:dlq:<group>)."""
    asyncio.run(_dead_letters(group, count))


async def _dead_letters(group: str, count: int) -> None:
    from subgraphs.kit.events import RedisStreams, list_dead_letters

    client = _redis()
    try:
        entries = await list_dead_letters(RedisStreams(client), group, count)
    finally:
        await client.aclose()
    table = Table("dlq id", "event type", "tenant", "deliveries", "error", title=f"DLQ {group}")
    for entry in entries:
        f = entry.fields
        table.add_row(
            entry.id,
            f.get("event_type", "?"),
            f.get("tenant_id", "?"),
            f.get("dlq_deliveries", "?"),
            f.get("dlq_error", "")[:60],
        )
    console.print(table)
    console.print(f"{len(entries)} dead letter(s)")


@app.command()
def replay(
    group: Annotated[str, typer.Argument(help="Consumer group whose dead letters to replay.")],
    entry_id: Annotated[
        list[str] | None, typer.Option("--id", help="Only these DLQ entry ids (default: all).")
    ] = None,
) -> None:
    """Put dead letters back on their source stream (handled groups skip them by event id)."""
    asyncio.run(_replay(group, entry_id))


async def _replay(group: str, ids: list[str] | None) -> None:
    from subgraphs.kit.events import RedisStreams, replay_dead_letters

    client = _redis()
    try:
        replayed = await replay_dead_letters(RedisStreams(client), group, ids)
    finally:
        await client.aclose()
    console.print(f"replayed {replayed} dead letter(s) of {group}")
