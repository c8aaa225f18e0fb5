"""`Supergraph` -> supergraph SDL (link v1.0, join v0.3-v0.5, inaccessible v0.2, tag v0.3)."""

from __future__ import annotations

from typing import Any

from graphql.language.block_string import print_block_string
from graphql.language.print_string import print_string

from router.compose.model import ROOT_TYPES, Applied, Kind
from router.compose.supergraph import MergedArg, MergedField, MergedType, Supergraph

_LINK = """directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) \
repeatable on SCHEMA

scalar link__Import

enum link__Purpose {
  \"\"\"
  `SECURITY` features provide metadata necessary to securely resolve fields.
  \"\"\"
  SECURITY

  \"\"\"
  `EXECUTION` features provide metadata necessary for operation execution.
  \"\"\"
  EXECUTION
}"""

_JOIN_FIELD_ARGS = {
    "v0.3": ["override: String", "usedOverridden: Boolean"],
    "v0.4": ["override: String", "usedOverridden: Boolean", "overrideLabel: String"],
    "v0.5": [
        "override: String",
        "usedOverridden: Boolean",
        "overrideLabel: String",
        "contextArguments: [join__ContextArgument!]",
    ],
}

_JOIN_COMMON = """directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) \
repeatable on OBJECT | INTERFACE

directive @join__type(
  graph: join__Graph!
  key: join__FieldSet
  extension: Boolean! = false
  resolvable: Boolean! = true
  isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

scalar join__FieldSet"""

_JOIN_V05 = """input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__FieldValue"""

_CONTEXT = """directive @context(name: String!) repeatable on OBJECT | INTERFACE | UNION

directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION

scalar context__ContextFieldValue"""

_INACCESSIBLE = (
    "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
    " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_SECURITY = {
    "policy": (
        "directive @policy(policies: [[policy__Policy!]!]!) "
        "on ENUM | FIELD_DEFINITION | INTERFACE | OBJECT | SCALAR\n\nscalar policy__Policy"
    ),
    "requiresScopes": (
        "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) "
        "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n"
        "scalar requiresScopes__Scope"
    ),
    "authenticated": (
        "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
    ),
}
_COST = """directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | \
INPUT_FIELD_DEFINITION | OBJECT | SCALAR

directive @listSize(
  assumedSize: Int
  slicingArguments: [String!]
  sizedFields: [String!]
  requireOneSlicingArgument: Boolean = true
) on FIELD_DEFINITION"""
_TAG = (
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    " | SCHEMA"
)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return print_string(str(value))


def _directive(name: str, args: dict[str, Any], enum_args: frozenset[str] = frozenset()) -> str:
    if not args:
        return f"@{name}"
    printed = ", ".join(
        f"{k}: {v if k in enum_args else _value(v)}" for k, v in args.items() if v is not None
    )
    return f"@{name}({printed})"


def _description(text: str | None, indent: str) -> str:
    if not text:
        return ""
    block = print_block_string(text)
    return "".join(f"{indent}{line}\n" if line else "\n" for line in block.split("\n"))


class _Printer:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

    def join(self, name: str, args: dict[str, Any]) -> str:
        if "graph" in args:
            args = {**args, "graph": self.supergraph.graph_enum(args["graph"])}
        return _directive(name, args, frozenset({"graph"}))

    def applied(self, element: Applied) -> list[str]:
        out = []
        if element.inaccessible:
            out.append("@inaccessible")
        out.extend(_directive("tag", {"name": t}) for t in element.tags)
        if element.specified_by is not None:
            out.append(_directive("specifiedBy", {"url": element.specified_by}))
        if element.one_of:
            out.append("@oneOf")
        if element.authenticated:
            out.append("@authenticated")
        if element.scopes is not None:
            out.append(_directive("requiresScopes", {"scopes": element.scopes}))
        if element.policies is not None:
            out.append(_directive("policy", {"policies": element.policies}))
        if element.cost is not None:
            out.append(f"@cost(weight: {element.cost})")
        if element.list_size is not None:
            out.append(_directive("listSize", element.list_size))
        if element.deprecated is not None:
            reason = element.deprecated
            out.append(
                "@deprecated"
                if reason == "No longer supported"
                else _directive("deprecated", {"reason": reason})
            )
        return out

    def arg(self, arg: MergedArg) -> str:
        text = f"{arg.name}: {arg.type}"
        if arg.default is not None:
            text += f" = {arg.default}"
        return " ".join([text, *self.applied(arg)])

    def field(self, fdef: MergedField) -> str:
        text = _description(fdef.description, "  ") + f"  {fdef.name}"
        args = list(fdef.args.values())
        if args and any(a.description for a in args):
            lines = [_description(a.description, "    ") + f"    {self.arg(a)}\n" for a in args]
            text += "(\n" + "".join(lines) + "  )"
        elif args:
            text += "(" + ", ".join(self.arg(a) for a in args) + ")"
        text += f": {fdef.type}"
        if fdef.default is not None:
            text += f" = {fdef.default}"
        parts = [self.join("join__field", j) for j in fdef.joins] + self.applied(fdef)
        return " ".join([text, *parts])

    def type(self, tdef: MergedType) -> str:
        head = _description(tdef.description, "") + f"{tdef.kind.value} {tdef.name}"
        if tdef.interfaces:
            head += " implements " + " & ".join(tdef.interfaces)
        directives = [self.join("join__type", j) for j in tdef.type_joins]
        directives += [
            self.join("join__implements", {"graph": g, "interface": i}) for g, i in tdef.implements
        ]
        directives += [
            self.join("join__unionMember", {"graph": g, "member": m}) for g, m in tdef.union_members
        ]
        directives += [_directive("context", {"name": c}) for c in tdef.contexts]
        directives += self.applied(tdef)
        head = " ".join([head, *directives])
        if tdef.kind is Kind.UNION:
            return head + (" = " + " | ".join(tdef.members) if tdef.members else "")
        if tdef.kind is Kind.SCALAR:
            return head
        if tdef.kind is Kind.ENUM:
            body = [
                _description(v.description, "  ")
                + " ".join(
                    [f"  {v.name}"]
                    + [self.join("join__enumValue", {"graph": g}) for g in v.graphs]
                    + self.applied(v)
                )
                for v in tdef.values.values()
            ]
        else:
            body = [self.field(f) for f in tdef.fields.values()]
        return head + " {\n" + "\n".join(body) + "\n}"

    def schema(self) -> str:
        sg = self.supergraph
        links = [
            '@link(url: "https://specs.apollo.dev/link/v1.0")',
            f'@link(url: "https://specs.apollo.dev/join/{sg.join_version}", for: EXECUTION)',
        ]
        if "context" in sg.used_specs:
            links.append('@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)')
        if "tag" in sg.used_specs:
            links.append('@link(url: "https://specs.apollo.dev/tag/v0.3")')
        if "inaccessible" in sg.used_specs:
            links.append('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
        links += [
            f'@link(url: "https://specs.apollo.dev/{spec}/v0.1", for: SECURITY)'
            for spec in _SECURITY
            if spec in sg.used_specs
        ]
        if "cost" in sg.used_specs:
            links.append('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])')
        roots = [f"  {r.lower()}: {r}" for r in ROOT_TYPES if r in sg.types]
        return "schema " + " ".join(links) + " {\n" + "\n".join(roots) + "\n}"

    def definitions(self) -> list[str]:
        version = self.supergraph.join_version
        join_field = "\n".join(
            [
                "directive @join__field(",
                "  graph: join__Graph",
                "  requires: join__FieldSet",
                "  provides: join__FieldSet",
                "  type: String",
                "  external: Boolean",
                *(f"  {a}" for a in _JOIN_FIELD_ARGS[version]),
                ") repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
            ]
        )
        parts = [_JOIN_COMMON, join_field]
        if version == "v0.5":
            parts.append(_JOIN_V05)
        if "context" in self.supergraph.used_specs:
            parts.append(_CONTEXT)
        parts.append(_LINK)
        if "inaccessible" in self.supergraph.used_specs:
            parts.append(_INACCESSIBLE)
        if "tag" in self.supergraph.used_specs:
            parts.append(_TAG)
        parts += [d for spec, d in _SECURITY.items() if spec in self.supergraph.used_specs]
        if "cost" in self.supergraph.used_specs:
            parts.append(_COST)
        graph_values = [
            f"  {g.enum_value} " + _directive("join__graph", {"name": g.name, "url": g.url})
            for g in self.supergraph.graphs
        ]
        parts.append("enum join__Graph {\n" + "\n".join(graph_values) + "\n}")
        return parts


def print_supergraph(supergraph: Supergraph) -> str:
    printer = _Printer(supergraph)
    roots = [supergraph.types[r] for r in ROOT_TYPES if r in supergraph.types]
    others = [t for n, t in supergraph.types.items() if n not in ROOT_TYPES]
    blocks = [printer.schema(), *printer.definitions(), *(printer.type(t) for t in roots + others)]
    return "\n\n".join(blocks) + "\n"
