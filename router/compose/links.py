"""Which names a subgraph uses for the federation directives (`@link` imports and renames).

Federation 2 subgraphs declare `@link(url: ".../federation/v2.x", as:, import: [...])`; an
imported directive keeps its name or takes the one given by `{name: "@key", as: "@primaryKey"}`,
the others are reachable as `@federation__name` (or `@<as>__name`). Federation 1 subgraphs have
no link and use the bare names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, SchemaDefinitionNode, SchemaExtensionNode
from graphql.utilities import value_from_ast_untyped

FEDERATION_DIRECTIVES = (
    "key",
    "external",
    "requires",
    "provides",
    "shareable",
    "override",
    "inaccessible",
    "tag",
    "extends",
    "interfaceObject",
    "composeDirective",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
    "context",
    "fromContext",
)
# the federation version that introduced each directive
_SINCE = {
    "composeDirective": (2, 1),
    "interfaceObject": (2, 3),
    "authenticated": (2, 5),
    "requiresScopes": (2, 5),
    "policy": (2, 6),
    "context": (2, 8),
    "fromContext": (2, 8),
    "cost": (2, 9),
    "listSize": (2, 9),
}
FEDERATION1_DIRECTIVES = (
    "key",
    "external",
    "requires",
    "provides",
    "extends",
    "tag",
    "inaccessible",
)
LATEST_FEDERATION = (2, 11)
_FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")


class LinkError(ValueError):
    """The schema's federation `@link` is malformed or names an unknown version."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FederationLink:
    version: tuple[int, int]
    local_names: dict[str, str]  # local directive name -> canonical federation name

    @property
    def fed1(self) -> bool:
        return self.version[0] == 1

    def canonical(self, local_name: str) -> str | None:
        return self.local_names.get(local_name)


def _schema_links(document: DocumentNode) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            for directive in definition.directives or ():
                if directive.name.value == "link":
                    links.append(
                        {
                            a.name.value: value_from_ast_untyped(a.value)
                            for a in directive.arguments or ()
                        }
                    )
    return links


def _imported_name(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        return item, item
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return item["name"], str(item.get("as") or item["name"])
    raise LinkError("INVALID_LINK_DIRECTIVE_USAGE", f"invalid @link import {item!r}")


def read_federation_link(document: DocumentNode) -> FederationLink:
    """The federation link of a subgraph document (Federation 1 when there is none)."""
    for link in _schema_links(document):
        match = _FEDERATION_URL.match(str(link.get("url", "")))
        if not match:
            continue
        version = (int(match.group(1)), int(match.group(2)))
        if version[0] != 2 or version > LATEST_FEDERATION:
            raise LinkError(
                "UNKNOWN_FEDERATION_LINK_VERSION",
                f"Invalid version v{version[0]}.{version[1]} for the federation feature",
            )
        known = [n for n in FEDERATION_DIRECTIVES if _SINCE.get(n, (2, 0)) <= version]
        prefix = str(link.get("as") or "federation")
        names = {f"{prefix}__{name}": name for name in known}
        for item in link.get("import") or ():
            original, local = _imported_name(item)
            if original.startswith("@") and original[1:] in known:
                names[local.lstrip("@")] = original[1:]
            elif original.lstrip("@") not in ("FieldSet", "Scope", "Policy", "ContextFieldValue"):
                raise LinkError(
                    "INVALID_LINK_DIRECTIVE_USAGE", f'Cannot import unknown element "{original}".'
                )
        return FederationLink(version=version, local_names=names)
    return FederationLink(version=(1, 0), local_names={n: n for n in FEDERATION1_DIRECTIVES})
