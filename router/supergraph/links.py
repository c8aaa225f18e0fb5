"""`@link` handling: which features a supergraph uses and under which local names.

A supergraph names the elements of a linked feature either with a prefix (`join__Graph`,
`@join__field`), with the feature's own name for its root directive (`@inaccessible`), or
with names chosen by `import:` (`@link(url: ".../tag/v0.3", import: [{name: "@tag", as:
"@label"}])`). `Feature` resolves a spec element to its local name either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

from router.supergraph.errors import SupergraphError

LINK = "https://specs.apollo.dev/link"
JOIN = "https://specs.apollo.dev/join"
INACCESSIBLE = "https://specs.apollo.dev/inaccessible"
TAG = "https://specs.apollo.dev/tag"
AUTHENTICATED = "https://specs.apollo.dev/authenticated"
REQUIRES_SCOPES = "https://specs.apollo.dev/requiresScopes"
POLICY = "https://specs.apollo.dev/policy"
COST = "https://specs.apollo.dev/cost"
CONTEXT = "https://specs.apollo.dev/context"

SUPPORTED_JOIN = frozenset({(0, 3), (0, 4), (0, 5)})
# features whose meaning this router implements (or which carry no execution semantics)
# (authorization and demand control are enforced by router.policies; `@fromContext`
# arguments by the planner)
UNDERSTOOD = frozenset(
    {LINK, JOIN, INACCESSIBLE, TAG, AUTHENTICATED, REQUIRES_SCOPES, POLICY, COST, CONTEXT}
)


@dataclass(frozen=True, slots=True)
class Feature:
    """One `@link`ed feature and the local names of its elements."""

    identity: str
    name: str
    version: tuple[int, int]
    prefix: str
    purpose: str | None = None
    imports: dict[str, str] = field(default_factory=dict)

    def directive(self, element: str) -> str:
        """Local name (without `@`) of the spec directive `element`."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.removeprefix("@")
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"

    def type(self, element: str) -> str:
        """Local name of the spec type `element`."""
        return self.imports.get(element) or f"{self.prefix}__{element}"

    def owns_directive(self, name: str) -> bool:
        return (
            name == self.prefix
            or name.startswith(self.prefix + "__")
            or any(
                key.startswith("@") and value.removeprefix("@") == name
                for key, value in self.imports.items()
            )
        )

    def owns_type(self, name: str) -> bool:
        return name.startswith(self.prefix + "__") or any(
            not key.startswith("@") and value == name for key, value in self.imports.items()
        )


def read_features(document: DocumentNode) -> dict[str, Feature]:
    """All features linked on the schema definition/extensions, keyed by identity."""
    applications = [
        directive
        for definition in document.definitions
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
        for directive in definition.directives or ()
    ]
    link_name = _link_directive_name(applications)
    features: dict[str, Feature] = {}
    for directive in applications:
        if directive.name.value == link_name:
            feature = _feature(directive)
            features[feature.identity] = feature
    _check(features)
    return features


def _link_directive_name(applications: Sequence[DirectiveNode]) -> str:
    for directive in applications:
        url = _string_arg(directive, "url")
        if url is not None and _split_url(url)[0] == LINK:
            return directive.name.value
    if any(d.name.value == "core" for d in applications):
        raise SupergraphError(
            "UNSUPPORTED_VERSION",
            "this supergraph uses the `@core` spec (join v0.1/v0.2); recompose it with "
            "Federation 2 composition (link v1.0, join v0.3 or later)",
        )
    raise SupergraphError(
        "MISSING_LINK", 'no `@link(url: "https://specs.apollo.dev/link/v1.0")` on the schema'
    )


def _feature(directive: DirectiveNode) -> Feature:
    url = _string_arg(directive, "url")
    if url is None:
        raise SupergraphError("INVALID_SUPERGRAPH", "a `@link` has no `url:` argument")
    identity, name, version = _split_url(url)
    prefix = _string_arg(directive, "as") or name
    purpose = None
    imports: dict[str, str] = {}
    for argument in directive.arguments or ():
        if argument.name.value == "for":
            purpose = getattr(argument.value, "value", None)
        elif argument.name.value == "import":
            imports = _imports(argument.value)
    return Feature(identity, name, version, prefix, purpose, imports)


def _imports(value: ValueNode) -> dict[str, str]:
    values = value.values if isinstance(value, ListValueNode) else (value,)
    imports: dict[str, str] = {}
    for item in values:
        if isinstance(item, StringValueNode):
            imports[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            name, alias = fields.get("name"), fields.get("as")
            if isinstance(name, StringValueNode):
                local = alias.value if isinstance(alias, StringValueNode) else name.value
                imports[name.value] = local
    return imports


def _split_url(url: str) -> tuple[str, str, tuple[int, int]]:
    base, _, last = url.rstrip("/").rpartition("/")
    if last.startswith("v") and "." in last:
        major, _, minor = last[1:].partition(".")
        if major.isdigit() and minor.isdigit():
            return base, base.rpartition("/")[2], (int(major), int(minor))
    return url, url.rpartition("/")[2], (0, 0)


def _string_arg(directive: DirectiveNode, name: str) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, StringValueNode):
            return argument.value.value
    return None


def _check(features: dict[str, Feature]) -> None:
    for feature in features.values():
        if feature.purpose in {"SECURITY", "EXECUTION"} and feature.identity not in UNDERSTOOD:
            raise SupergraphError(
                "UNSUPPORTED_FEATURE",
                f"feature {feature.identity}/v{feature.version[0]}.{feature.version[1]} is "
                f"linked `for: {feature.purpose}` but this router does not support it",
            )
    join = features.get(JOIN)
    if join is None:
        raise SupergraphError("MISSING_LINK", f"no `@link` to the join spec ({JOIN})")
    if join.version not in SUPPORTED_JOIN:
        raise SupergraphError(
            "UNSUPPORTED_VERSION",
            f"join v{join.version[0]}.{join.version[1]} is not supported (v0.3 to v0.5 are)",
        )
