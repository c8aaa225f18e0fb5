"""`saas-platform schema compose|check`: compose our subgraphs into schema/supergraph.graphql.

By default the SDLs come from `subgraphs.registry.subgraph_sdls()` (each subgraph's strawberry
schema, printed as `_service { sdl }` would return it); `--subgraph name=url` fetches them
from running subgraphs instead. `compose` writes the supergraph and one file per subgraph
under `schema/subgraphs/`; `check` fails when those files are stale.
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import Annotated

import typer

from router.compose import (
    CompositionResult,
    SubgraphFetchError,
    SubgraphSource,
    compose,
    fetch_subgraph_sdl,
)

app = typer.Typer(no_args_is_help=True, help="Compose and check the supergraph schema.")

SubgraphOption = Annotated[
    list[str] | None,
    typer.Option(
        "--subgraph",
        "-s",
        help="NAME=URL of a running subgraph to fetch `_service { sdl }` from (repeatable).",
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Supergraph file; subgraph SDLs go next to it.")
]
DEFAULT_OUT = Path("schema/supergraph.graphql")


def _parse_subgraph_options(options: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for option in options:
        name, sep, url = option.partition("=")
        if not sep or not name or not url:
            raise typer.BadParameter(f"expected NAME=URL, got {option!r}", param_hint="--subgraph")
        pairs.append((name, url))
    return pairs


async def _fetch_all(pairs: list[tuple[str, str]]) -> list[SubgraphSource]:
    return list(await asyncio.gather(*(fetch_subgraph_sdl(n, u) for n, u in pairs)))


def _registry_sources() -> list[SubgraphSource]:
    try:
        registry = importlib.import_module("subgraphs.registry")
    except ModuleNotFoundError as exc:
        if exc.name not in {"subgraphs", "subgraphs.registry"}:
            raise
        typer.echo(
            "no subgraph registry (subgraphs/registry.py with subgraph_sdls()); "
            "pass --subgraph NAME=URL to fetch SDLs from running subgraphs",
            err=True,
        )
        raise typer.Exit(2) from exc
    sdls: dict[str, tuple[str, str]] = registry.subgraph_sdls()
    return [SubgraphSource(name, url, sdl) for name, (url, sdl) in sorted(sdls.items())]


def _sources(subgraph: list[str] | None) -> list[SubgraphSource]:
    if not subgraph:
        return _registry_sources()
    try:
        return asyncio.run(_fetch_all(_parse_subgraph_options(subgraph)))
    except SubgraphFetchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


def _compose_or_exit(sources: list[SubgraphSource]) -> str:
    if not sources:
        typer.echo("no subgraphs to compose", err=True)
        raise typer.Exit(1)
    result: CompositionResult = compose(sources)
    for hint in result.hints:
        typer.echo(
            f"hint {hint.code} [{hint.subgraph or '-'}] {hint.coordinate or '-'}: {hint.message}",
            err=True,
        )
    if result.errors or result.supergraph_sdl is None:
        for error in result.errors:
            where = f"[{error.subgraph or '-'}] {error.coordinate or '-'}"
            typer.echo(f"error {error.code} {where}: {error.message}", err=True)
        typer.echo(f"composition failed with {len(result.errors)} error(s)", err=True)
        raise typer.Exit(1)
    return result.supergraph_sdl


def _expected_files(out: Path, sources: list[SubgraphSource], supergraph: str) -> dict[Path, str]:
    files = {out: supergraph}
    for source in sources:
        sdl = source.sdl if source.sdl.endswith("\n") else source.sdl + "\n"
        files[out.parent / "subgraphs" / f"{source.name}.graphql"] = sdl
    return files


@app.command("compose")
def compose_command(subgraph: SubgraphOption = None, out: OutOption = DEFAULT_OUT) -> None:
    """Compose the subgraphs and write the supergraph and subgraph SDL files."""
    sources = _sources(subgraph)
    files = _expected_files(out, sources, _compose_or_exit(sources))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    typer.echo(f"wrote {out} from {len(sources)} subgraph(s): {', '.join(s.name for s in sources)}")


@app.command("check")
def check_command(subgraph: SubgraphOption = None, out: OutOption = DEFAULT_OUT) -> None:
    """Recompose and fail when the committed schema files are stale."""
    sources = _sources(subgraph)
    files = _expected_files(out, sources, _compose_or_exit(sources))
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text() != text]
    if stale:
        for path in stale:
            typer.echo(f"stale: {path}", err=True)
        typer.echo("run `saas-platform schema compose` and commit the result", err=True)
        raise typer.Exit(1)
    typer.echo(f"{out} is up to date")
