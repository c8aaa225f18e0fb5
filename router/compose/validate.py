"""Per-subgraph checks: `RawSubgraph` -> `ValidatedSubgraph` or errors.

Field sets are checked against the subgraph's own types: `@key` (KEY_INVALID_FIELDS,
KEY_FIELDS_HAS_ARGS, KEY_FIELDS_SELECT_INVALID_TYPE), `@requires` (REQUIRES_INVALID_FIELDS,
REQUIRES_FIELDS_MISSING_EXTERNAL), `@provides` (PROVIDES_INVALID_FIELDS,
PROVIDES_FIELDS_MISSING_EXTERNAL, PROVIDES_ON_NON_OBJECT_FIELD); plus unknown types
(INVALID_GRAPHQL), unused `@external` (EXTERNAL_UNUSED), `@override` from self, and
`@context`/`@fromContext` (`contexts.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from router.compose.contexts import check_contexts
from router.compose.fieldset import FieldSetSyntaxError, Selected, parse_field_set
from router.compose.model import (
    BUILTIN_SCALARS,
    Kind,
    RawSubgraph,
    TypeDef,
    ValidatedSubgraph,
    named_type,
)
from router.compose.result import CompositionError
from router.compose.typerefs import TypeRef, parse_type

_COMPOSITE = (Kind.OBJECT, Kind.INTERFACE, Kind.UNION)


@dataclass
class _Check:
    subgraph: RawSubgraph
    errors: list[CompositionError] = field(default_factory=list)
    used: set[tuple[str, str]] = field(default_factory=set)  # (type, field) used by field sets

    def error(self, code: str, message: str, coordinate: str | None) -> None:
        text = f"[{self.subgraph.name}] {message}"
        self.errors.append(CompositionError(code, text, self.subgraph.name, coordinate))

    def walk(
        self, type_name: str, selections: Sequence[Selected], directive: str, coordinate: str
    ) -> None:
        """Check selections against `type_name`; record every field they use."""
        prefix = {"key": "KEY", "requires": "REQUIRES", "provides": "PROVIDES"}[directive]
        for sel in selections:
            owner = self.subgraph.types.get(sel.type_condition or type_name)
            fdef = owner.fields.get(sel.name) if owner else None
            if sel.name == "__typename":
                continue
            if owner is None or fdef is None:
                self.error(
                    f"{prefix}_INVALID_FIELDS",
                    f'On "{coordinate}", for @{directive}: cannot query field "{sel.name}" '
                    f'on type "{sel.type_condition or type_name}".',
                    coordinate,
                )
                continue
            self.used.add((owner.name, sel.name))
            if (sel.has_args or fdef.args) and directive in ("key", "provides"):
                self.error(
                    f"{prefix}_FIELDS_HAS_ARGS",
                    f'On "{coordinate}", for @{directive}: field {owner.name}.{sel.name} cannot '
                    "be included because it has arguments",
                    coordinate,
                )
            target = self.subgraph.types.get(named_type(fdef.type))
            if target is not None and target.kind in _COMPOSITE:
                if directive == "key" and target.kind is not Kind.OBJECT:
                    self.error(
                        "KEY_FIELDS_SELECT_INVALID_TYPE",
                        f'On type "{type_name}", for @key: field "{owner.name}.{sel.name}" is '
                        f"a {target.kind.name.lower()} type which is not allowed in @key",
                        coordinate,
                    )
                if not sel.children:
                    self.error(
                        f"{prefix}_INVALID_FIELDS",
                        f'On "{coordinate}", for @{directive}: field "{sel.name}" of composite '
                        "type must have a selection of subfields",
                        coordinate,
                    )
                self.walk(target.name, sel.children, directive, coordinate)

    def parse(self, fields: str, directive: str, coordinate: str) -> tuple[Selected, ...] | None:
        try:
            return parse_field_set(fields)
        except FieldSetSyntaxError as exc:
            code = {"key": "KEY", "requires": "REQUIRES", "provides": "PROVIDES"}[directive]
            self.error(f"{code}_INVALID_FIELDS", f"invalid @{directive} fields: {exc}", coordinate)
            return None

    def check_types_known(self) -> None:
        known = set(self.subgraph.types) | BUILTIN_SCALARS
        for tdef in self.subgraph.types.values():
            refs = [(f"{tdef.name}.{f.name}", f.type) for f in tdef.fields.values()]
            refs += [
                (f"{tdef.name}.{f.name}({a.name}:)", a.type)
                for f in tdef.fields.values()
                for a in f.args.values()
            ]
            refs += [(tdef.name, name) for name in tdef.interfaces + tdef.members]
            for coordinate, ref in refs:
                if named_type(ref) not in known:
                    self.error("INVALID_GRAPHQL", f'Unknown type "{named_type(ref)}".', coordinate)

    def check_implementations(self, tdef: TypeDef) -> None:
        for name in tdef.interfaces:
            iface = self.subgraph.types.get(name)
            if iface is None:
                continue
            for fname, ifield in iface.fields.items():
                own = tdef.fields.get(fname)
                if own is None:
                    self.error(
                        "INVALID_GRAPHQL",
                        f"Interface field {name}.{fname} expected but {tdef.name} does not "
                        "provide it.",
                        f"{tdef.name}.{fname}",
                    )
                    continue
                for arg in ifield.args:
                    if arg not in own.args:
                        self.error(
                            "INVALID_GRAPHQL",
                            f"Interface field argument {name}.{fname}({arg}:) expected but "
                            f"{tdef.name}.{fname} does not provide it.",
                            f"{tdef.name}.{fname}",
                        )
                if not _narrows(parse_type(own.type), parse_type(ifield.type)):
                    self.error(
                        "INVALID_GRAPHQL",
                        f"Interface field {name}.{fname} expects type {ifield.type} but "
                        f"{tdef.name}.{fname} of type {own.type} is not a proper subtype.",
                        f"{tdef.name}.{fname}",
                    )

    def check_keys(self, tdef: TypeDef) -> None:
        for key in tdef.keys:
            selections = self.parse(key.fields, "key", tdef.name)
            if selections is not None:
                self.walk(tdef.name, selections, "key", tdef.name)

    def check_field_sets(self, tdef: TypeDef) -> None:
        for fdef in tdef.fields.values():
            coordinate = f"{tdef.name}.{fdef.name}"
            if fdef.external and (fdef.inaccessible or fdef.tags):
                directive = "@inaccessible" if fdef.inaccessible else "@tag"
                self.error(
                    "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                    f'Cannot apply merged directive {directive} to external field "{coordinate}"',
                    coordinate,
                )
            if fdef.requires is not None:
                selections = self.parse(fdef.requires, "requires", coordinate)
                if selections is not None:
                    self.walk(tdef.name, selections, "requires", coordinate)
                    if not self.subgraph.fed1:
                        self.require_external(tdef, selections, "requires", coordinate)
            if fdef.provides is not None:
                target = self.subgraph.types.get(named_type(fdef.type))
                if target is None or target.kind not in _COMPOSITE:
                    self.error(
                        "PROVIDES_ON_NON_OBJECT_FIELD",
                        f'Invalid @provides directive on field "{coordinate}": field has type '
                        f'"{fdef.type}" which is not a Composite Type',
                        coordinate,
                    )
                    continue
                selections = self.parse(fdef.provides, "provides", coordinate)
                if selections is not None:
                    self.walk(target.name, selections, "provides", coordinate)
                    if not self.subgraph.fed1:
                        self.require_external(target, selections, "provides", coordinate)
            if fdef.override is not None and fdef.override == self.subgraph.name:
                self.error(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{fdef.override}" are the same for '
                    f'overridden field "{coordinate}"',
                    coordinate,
                )

    def require_external(
        self, tdef: TypeDef, selections: Sequence[Selected], directive: str, coordinate: str
    ) -> None:
        """@requires: top-level fields must be external; @provides: every leaf must be."""
        for sel in selections:
            owner = self.subgraph.types.get(sel.type_condition or tdef.name)
            fdef = owner.fields.get(sel.name) if owner else None
            if owner is None or fdef is None or fdef.external or owner.kind is not Kind.OBJECT:
                continue
            if directive == "provides" and sel.children:
                target = self.subgraph.types.get(named_type(fdef.type))
                if target is not None:
                    self.require_external(target, sel.children, directive, coordinate)
                continue
            self.error(
                f"{directive.upper()}_FIELDS_MISSING_EXTERNAL",
                f'On field "{coordinate}", for @{directive}(fields: ...): field '
                f'"{owner.name}.{sel.name}" should not be part of a @{directive} since it is '
                "already provided by this subgraph (it is not marked @external)",
                coordinate,
            )

    def check_external_used(self) -> None:
        if self.subgraph.fed1:
            return
        for tdef in self.subgraph.types.values():
            for fdef in tdef.fields.values():
                if fdef.external and (tdef.name, fdef.name) not in self.used:
                    if _implements_external(self.subgraph, tdef, fdef.name):
                        continue
                    coordinate = f"{tdef.name}.{fdef.name}"
                    self.error(
                        "EXTERNAL_UNUSED",
                        f'Field "{coordinate}" is marked @external but is not used in any '
                        "federation directive (@key, @provides, @requires) or to satisfy an "
                        "interface; the field declaration has no use and should be removed.",
                        coordinate,
                    )


def _narrows(own: TypeRef, expected: TypeRef) -> bool:
    """Nullability and list shape of an implementation field against its interface field."""
    if expected.non_null and not own.non_null:
        return False
    if (own.list_of is None) != (expected.list_of is None):
        return False
    if own.list_of is not None and expected.list_of is not None:
        return _narrows(own.list_of, expected.list_of)
    return True


def _implements_external(subgraph: RawSubgraph, tdef: TypeDef, field_name: str) -> bool:
    return any(
        field_name in subgraph.types[i].fields for i in tdef.interfaces if i in subgraph.types
    )


def validate_subgraph(raw: RawSubgraph) -> ValidatedSubgraph | Sequence[CompositionError]:
    check = _Check(raw)
    check.check_types_known()
    for tdef in raw.types.values():
        check.check_implementations(tdef)
    if check.errors:
        return check.errors
    for tdef in raw.types.values():
        check.check_keys(tdef)
        check.check_field_sets(tdef)
    check_contexts(raw, check.error, check.used)
    check.check_external_used()
    if check.errors:
        return check.errors
    return ValidatedSubgraph(raw, frozenset(check.used))
