"""Merging one field of an object or interface type across subgraphs, with its join metadata.

Rules: a field resolved by more than one subgraph must be shareable everywhere (`@shareable`
on the field or type, a key field, or a Federation 1 subgraph) - INVALID_FIELD_SHARING;
output types merge to the most general type, argument types to the most restrictive, and an
argument missing somewhere is dropped (an error when it is required). `@override` removes the
source subgraph's definition (kept with `overrideLabel` for progressive overrides, or as
`usedOverridden` when the source still needs the field for its own field sets).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from router.compose.contexts import context_reference
from router.compose.fieldset import top_level_names
from router.compose.hints import inconsistent_argument_presence
from router.compose.model import ROOT_TYPES, FieldDef, Kind, TypeDef, ValidatedSubgraph
from router.compose.result import CompositionError, Hint
from router.compose.supergraph import MergedArg, MergedField
from router.compose.typerefs import merge_types


@dataclass(frozen=True)
class FieldSource:
    subgraph: ValidatedSubgraph
    tdef: TypeDef
    fdef: FieldDef

    @property
    def graph(self) -> str:
        return self.subgraph.name


@dataclass
class FieldMerge:
    errors: list[CompositionError]
    hints: list[Hint]
    subgraph_names: frozenset[str]

    def error(self, code: str, message: str, subgraph: str | None, coordinate: str) -> None:
        self.errors.append(CompositionError(code, message, subgraph, coordinate))

    def merge(
        self, kind: Kind, type_name: str, sources: list[FieldSource], type_graphs: list[str]
    ) -> MergedField | None:
        name = sources[0].fdef.name
        coordinate = f"{type_name}.{name}"
        sources = self.without_void_overrides(sources)
        overridden = self.overrides(sources, coordinate)
        if all(s.fdef.external for s in sources):
            self.error(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f'listed (subgraph "{sources[0].graph}").',
                sources[0].graph,
                coordinate,
            )
            return None
        kept = [s for s in sources if overridden.get(s.graph) != "removed"]
        resolving = [s for s in kept if not s.fdef.external and s.graph not in overridden]
        if kind is Kind.OBJECT and len(resolving) > 1:
            self.check_sharing(resolving, coordinate)
        typed = [s for s in sources if not s.fdef.declared_external] or sources
        merged_type = merge_types([s.fdef.type for s in typed], output=kind is not Kind.INPUT)
        if merged_type is None:
            self.type_mismatch(typed, coordinate, "FIELD_TYPE_MISMATCH")
            return None
        externals = [s for s in sources if s.fdef.declared_external]
        if typed is not sources and not self.externals_fit(externals, typed, merged_type):
            code = "EXTERNAL_TYPE_MISMATCH" if externals[0].fdef.external else "FIELD_TYPE_MISMATCH"
            self.type_mismatch(typed + externals, coordinate, code)
            return None
        merged = MergedField(name=name, type=merged_type)
        _merge_applied(merged, [s.fdef for s in sources])
        contextual = self.contextual_args(sources, coordinate)
        merged.args = self.merge_args(_without_args(typed, contextual), coordinate)
        for arg in merged.args.values():  # @external declarations constrain argument types too
            declared = [s.fdef.args[arg.name].type for s in externals if arg.name in s.fdef.args]
            arg.type = merge_types([arg.type, *declared], output=False) or arg.type
        self.check_external_args(externals, merged, coordinate)
        # The Guild records no `type:` on root and interface fields
        typeless = type_name in ROOT_TYPES or kind is Kind.INTERFACE
        merged.joins = _joins(kept, overridden, merged_type, type_graphs, sources, typeless)
        return merged

    def contextual_args(self, sources: list[FieldSource], coordinate: str) -> set[str]:
        """Arguments some subgraph fills with @fromContext: not in the supergraph (they become
        `contextArguments`); elsewhere they must be optional."""
        contextual = {
            a.name for s in sources for a in s.fdef.args.values() if a.from_context is not None
        }
        for source in sources:
            for name in sorted(contextual):
                arg = source.fdef.args.get(name)
                if arg is None or arg.from_context is not None:
                    continue
                if arg.type.endswith("!") and arg.default is None:
                    self.error(
                        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
                        f'Argument "{coordinate}({name}:)" is contextual in at least one '
                        f'subgraph but in subgraph "{source.graph}" it does not have '
                        "@fromContext, is not nullable and has no default value.",
                        source.graph,
                        f"{coordinate}({name}:)",
                    )
        return contextual

    def without_void_overrides(self, sources: list[FieldSource]) -> list[FieldSource]:
        """An @override (without label) from a known subgraph lacking the field changes nothing.

        A progressive override keeps its label: with the label off, the source must resolve the
        field, which satisfiability then reports."""
        graphs = {s.graph for s in sources}
        return [
            FieldSource(s.subgraph, s.tdef, replace(s.fdef, override=None, override_label=None))
            if s.fdef.override in self.subgraph_names
            and s.fdef.override not in graphs
            and s.fdef.override_label is None
            else s
            for s in sources
        ]

    def overrides(self, sources: list[FieldSource], coordinate: str) -> dict[str, str]:
        """graph -> removed | used | label | label-used, for sources another one overrides."""
        result: dict[str, str] = {}
        by_graph = {s.graph: s for s in sources}
        for source in sources:
            origin = by_graph.get(source.fdef.override or "")
            if origin is None:
                continue
            if origin.fdef.override is not None:
                self.error(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{source.graph}" is also marked with '
                    f'directive @override in subgraph "{origin.graph}". Only one @override '
                    "directive is allowed per field.",
                    source.graph,
                    coordinate,
                )
                break
            used = (origin.tdef.name, origin.fdef.name) in origin.subgraph.used_in_field_sets
            if source.fdef.override_label is not None:
                result[origin.graph] = "label-used" if used else "label"
            else:
                result[origin.graph] = "used" if used else "removed"
        return result

    def check_sharing(self, resolving: list[FieldSource], coordinate: str) -> None:
        unshared = [s for s in resolving if not _shareable(s)]
        if not unshared:
            return
        graphs = [s.graph for s in resolving]
        names = " and ".join(f'"{g}"' for g in graphs)
        self.error(
            "INVALID_FIELD_SHARING",
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            f"resolved from subgraphs {names} and defined as non-shareable in "
            + ", ".join(f'subgraph "{s.graph}"' for s in unshared),
            unshared[0].graph,
            coordinate,
        )

    def type_mismatch(self, sources: list[FieldSource], coordinate: str, code: str) -> None:
        detail = " and ".join(f'type "{s.fdef.type}" in subgraph "{s.graph}"' for s in sources)
        self.error(
            code,
            f'Type of field "{coordinate}" is incompatible across subgraphs: it has {detail}',
            sources[-1].graph,
            coordinate,
        )

    @staticmethod
    def externals_fit(
        externals: list[FieldSource], typed: list[FieldSource], merged_type: str
    ) -> bool:
        """An @external declaration has the merged type; an ignored one (a Federation 1 key
        field) may be narrower."""
        for source in externals:
            if source.fdef.external and source.subgraph.raw.fed1:
                continue  # Federation 1 did not check @external types
            if source.fdef.external and source.fdef.type != merged_type:
                return False
            types = [s.fdef.type for s in typed]
            if (
                not source.fdef.external
                and merge_types([*types, source.fdef.type], output=True) != merged_type
            ):
                return False
        return True

    def check_external_args(
        self, externals: list[FieldSource], merged: MergedField, coordinate: str
    ) -> None:
        for source in externals:
            for arg in merged.args:
                if arg not in source.fdef.args:
                    self.error(
                        "EXTERNAL_ARGUMENT_MISSING",
                        f'Field "{coordinate}" is missing argument "{coordinate}({arg}:)" in '
                        "some subgraphs where it is marked @external",
                        source.graph,
                        f"{coordinate}({arg}:)",
                    )

    def merge_args(self, sources: list[FieldSource], coordinate: str) -> dict[str, MergedArg]:
        merged: dict[str, MergedArg] = {}
        names = list(dict.fromkeys(a for s in sources for a in s.fdef.args))
        for arg_name in names:
            arg_coordinate = f"{coordinate}({arg_name}:)"
            having = [s for s in sources if arg_name in s.fdef.args]
            defs = [s.fdef.args[arg_name] for s in having]
            if len(having) < len(sources):
                missing = [s.graph for s in sources if arg_name not in s.fdef.args]
                required = [d for d in defs if d.type.endswith("!") and d.default is None]
                if required:
                    self.error(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does '
                        "not appear in all subgraphs: it is not defined in subgraph "
                        f'"{missing[0]}"',
                        missing[0],
                        arg_coordinate,
                    )
                else:
                    self.hints.append(inconsistent_argument_presence(arg_coordinate, missing))
                continue
            arg_type = merge_types([d.type for d in defs], output=False)
            if arg_type is None:
                self.error(
                    "FIELD_ARGUMENT_TYPE_MISMATCH",
                    f'Type of argument "{arg_coordinate}" is incompatible across subgraphs',
                    having[-1].graph,
                    arg_coordinate,
                )
                continue
            defaults = list(dict.fromkeys(d.default for d in defs if d.default is not None))
            if len(defaults) > 1:
                self.error(
                    "FIELD_ARGUMENT_DEFAULT_MISMATCH",
                    f'Argument "{arg_coordinate}" has incompatible default values across '
                    f"subgraphs: {', '.join(defaults)}",
                    having[-1].graph,
                    arg_coordinate,
                )
                continue
            default = defaults[0] if defaults else None
            arg = MergedArg(name=arg_name, type=arg_type, default=default)
            _merge_applied(arg, defs)
            merged[arg_name] = arg
        return merged


def _shareable(source: FieldSource) -> bool:
    if source.fdef.shareable or source.tdef.shareable or source.subgraph.raw.fed1:
        return True
    key_fields = {n for key in source.tdef.keys for n in top_level_names(key.fields)}
    return source.fdef.name in key_fields


def _joins(
    kept: list[FieldSource],
    overridden: dict[str, str],
    merged_type: str,
    type_graphs: list[str],
    sources: list[FieldSource],
    typeless: bool,
) -> list[dict[str, Any]]:
    type_differs = any(s.fdef.type != merged_type for s in sources) and not typeless
    special = any(
        s.fdef.external
        or s.fdef.requires
        or s.fdef.provides
        or s.fdef.override
        or _context_arguments(s)
        for s in kept
    )
    same_graphs = sorted(s.graph for s in kept) == sorted(type_graphs)
    if not special and not type_differs and not overridden and same_graphs:
        return []
    joins: list[dict[str, Any]] = []
    for source in kept:
        fdef = source.fdef
        join: dict[str, Any] = {"graph": source.graph}
        if fdef.requires is not None:
            join["requires"] = fdef.requires
        if fdef.provides is not None:
            join["provides"] = fdef.provides
        if type_differs:
            join["type"] = fdef.type
        if fdef.external:
            join["external"] = True
        if fdef.override is not None:
            join["override"] = fdef.override
        if overridden.get(source.graph) in ("used", "label-used"):
            join["usedOverridden"] = True
        label = fdef.override_label or _label_of_overrider(source.graph, kept, overridden)
        if label is not None:
            join["overrideLabel"] = label
        context_arguments = _context_arguments(source)
        if context_arguments:
            join["contextArguments"] = context_arguments
        joins.append(join)
    return joins


def _context_arguments(source: FieldSource) -> list[dict[str, str]]:
    found = []
    for arg in source.fdef.args.values():
        if arg.from_context is None:
            continue
        context, selection = context_reference(arg.from_context)
        found.append(
            {
                "context": f"{source.graph}__{context}",
                "name": arg.name,
                "type": arg.type,
                "selection": selection or "",
            }
        )
    return found


def _without_args(sources: list[FieldSource], names: set[str]) -> list[FieldSource]:
    if not names:
        return sources
    return [
        FieldSource(
            s.subgraph,
            s.tdef,
            replace(s.fdef, args={n: a for n, a in s.fdef.args.items() if n not in names}),
        )
        for s in sources
    ]


def _label_of_overrider(
    graph: str, kept: list[FieldSource], overridden: dict[str, str]
) -> str | None:
    if overridden.get(graph) not in ("label", "label-used"):
        return None
    return next((s.fdef.override_label for s in kept if s.fdef.override == graph), None)


def _merge_applied(target: Any, defs: list[Any]) -> None:
    """Descriptions (the first subgraph's, as The Guild does) and the directives kept."""
    target.description = next((d.description for d in defs if d.description), None)
    target.deprecated = next((d.deprecated for d in defs if d.deprecated is not None), None)
    target.specified_by = next((d.specified_by for d in defs if d.specified_by), None)
    target.one_of = any(d.one_of for d in defs)
    target.authenticated = any(d.authenticated for d in defs)
    target.scopes = _all_of([d.scopes for d in defs if d.scopes is not None])
    target.policies = _all_of([d.policies for d in defs if d.policies is not None])
    target.inaccessible = any(d.inaccessible for d in defs)
    costs = [d.cost for d in defs if d.cost is not None]
    target.cost = max(costs) if costs else None
    target.list_size = _list_size([d.list_size for d in defs if d.list_size is not None])
    target.tags = list(dict.fromkeys(t for d in defs for t in d.tags))


def _list_size(found: list[dict[str, Any]]) -> dict[str, Any] | None:
    """@listSize of a field several subgraphs size: the largest `assumedSize`, every slicing
    argument and sized field, and `requireOneSlicingArgument` only if all require it."""
    if not found:
        return None
    merged: dict[str, Any] = {}
    sizes = [f["assumedSize"] for f in found if isinstance(f.get("assumedSize"), int)]
    if sizes:
        merged["assumedSize"] = max(sizes)
    for name in ("slicingArguments", "sizedFields"):
        values = [v for f in found for v in f.get(name) or ()]
        if any(name in f for f in found):
            merged[name] = list(dict.fromkeys(values))
    requires = [f["requireOneSlicingArgument"] for f in found if "requireOneSlicingArgument" in f]
    if requires:
        merged["requireOneSlicingArgument"] = all(requires)
    return merged


def _all_of(requirements: list[list[list[str]]]) -> list[list[str]] | None:
    """Every subgraph's requirement must hold: the product of their alternatives."""
    if not requirements:
        return None
    merged: list[list[str]] = [[]]
    for alternatives in requirements:
        merged = [list(dict.fromkeys(left + right)) for left in merged for right in alternatives]
    unique: dict[tuple[str, ...], list[str]] = {}
    for group in merged:
        unique.setdefault(tuple(group), group)
    return list(unique.values())
