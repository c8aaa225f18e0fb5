"""Public values of composition: inputs, errors, hints and the result.

Composition never raises on a bad schema: every problem becomes a `CompositionError` with a
stable `code` (the codes Apollo's and The Guild's composition use), the subgraph it comes from
and the schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) it names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubgraphSource:
    """One subgraph as handed to composition: its name, routing URL and SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionError:
    """A reason the subgraphs do not compose. `code` is stable; `message` is for people."""

    code: str
    message: str
    subgraph: str | None = None
    coordinate: str | None = None

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.subgraph, self.coordinate) if p)
        return f"{self.code}: {self.message}" + (f" ({where})" if where else "")


@dataclass(frozen=True)
class Hint:
    """Something composition changed or noticed without failing (e.g. an argument dropped)."""

    code: str
    message: str
    subgraph: str | None = None
    coordinate: str | None = None


@dataclass(frozen=True)
class CompositionResult:
    """`supergraph_sdl` is set exactly when `errors` is empty."""

    supergraph_sdl: str | None
    hints: tuple[Hint, ...] = ()
    errors: tuple[CompositionError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors
