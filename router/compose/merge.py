"""`ValidatedSubgraph`s -> `Supergraph`: the union of types, with join metadata.

Field-level rules live in `merge_fields.py`, enum and input rules in `merge_inputs.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from router.compose.hints import unknown_override_source
from router.compose.merge_fields import FieldMerge, FieldSource, _merge_applied
from router.compose.merge_inputs import merge_enums, merge_input_fields
from router.compose.model import Kind, TypeDef, ValidatedSubgraph, named_type
from router.compose.result import CompositionError, Hint
from router.compose.supergraph import Graph, MergedField, MergedType, Supergraph

_JOIN_VERSIONS = ((2, 8), "v0.5"), ((2, 7), "v0.4"), ((0, 0), "v0.3")


@dataclass(frozen=True)
class TypeSource:
    subgraph: ValidatedSubgraph
    tdef: TypeDef

    @property
    def graph(self) -> str:
        return self.subgraph.name


@dataclass
class _Merger:
    subgraphs: list[ValidatedSubgraph]
    errors: list[CompositionError] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)

    def merge_type(self, name: str, sources: list[TypeSource]) -> MergedType | None:
        kinds = {Kind.INTERFACE if s.tdef.interface_object else s.tdef.kind for s in sources}
        if len(kinds) > 1:
            detail = " and ".join(f'{s.tdef.kind.name} in "{s.graph}"' for s in sources)
            self.errors.append(
                CompositionError(
                    "TYPE_KIND_MISMATCH",
                    f'Type "{name}" has mismatched kind: it is defined as {detail}',
                    sources[-1].graph,
                    name,
                )
            )
            return None
        merged = MergedType(kind=kinds.pop(), name=name)
        _merge_applied(merged, [s.tdef for s in sources])
        merged.type_joins = self.type_joins(name, sources)
        merged.contexts = [f"{s.graph}__{c}" for s in sources for c in s.tdef.contexts]
        graphs = list(dict.fromkeys(j["graph"] for j in merged.type_joins))
        if merged.kind in (Kind.OBJECT, Kind.INTERFACE):
            self.merge_fields(merged, sources, graphs)
            for source in sources:
                for iface in source.tdef.interfaces:
                    merged.implements.append((source.graph, iface))
            merged.interfaces = list(dict.fromkeys(i for _, i in merged.implements))
        elif merged.kind is Kind.UNION:
            for source in sources:
                merged.union_members.extend((source.graph, m) for m in source.tdef.members)
            merged.members = list(dict.fromkeys(m for _, m in merged.union_members))
        elif merged.kind is Kind.INPUT:
            fields, errors, hints = merge_input_fields(name, [(s.graph, s.tdef) for s in sources])
            merged.fields = fields
            self.errors.extend(errors)
            self.hints.extend(hints)
        return merged

    def type_joins(self, name: str, sources: list[TypeSource]) -> list[dict[str, Any]]:
        joins: list[dict[str, Any]] = []
        for source in sources:
            base: dict[str, Any] = {"graph": source.graph}
            if source.tdef.extension:
                base["extension"] = True
            if source.tdef.interface_object:
                base["isInterfaceObject"] = True
            for key in source.tdef.keys:
                join = {"graph": source.graph, "key": key.fields} | {
                    k: v for k, v in base.items() if k != "graph"
                }
                if not key.resolvable:
                    join["resolvable"] = False
                joins.append(join)
            if not source.tdef.keys:
                joins.append(base)
        if name == "Query":
            present = {s.graph for s in sources}
            joins.extend({"graph": s.name} for s in self.subgraphs if s.name not in present)
            joins.sort(key=lambda j: str(j["graph"]))
        return joins

    def merge_fields(
        self, merged: MergedType, sources: list[TypeSource], graphs: list[str]
    ) -> None:
        names = list(dict.fromkeys(f for s in sources for f in s.tdef.fields))
        known = frozenset(s.name for s in self.subgraphs)
        field_merge = FieldMerge(self.errors, self.hints, known)
        for field_name in names:
            field_sources = [
                FieldSource(s.subgraph, s.tdef, s.tdef.fields[field_name])
                for s in sources
                if field_name in s.tdef.fields
            ]
            for fs in field_sources:
                if fs.fdef.override is not None and fs.fdef.override not in known:
                    coordinate = f"{merged.name}.{field_name}"
                    self.hints.append(
                        unknown_override_source(coordinate, fs.graph, fs.fdef.override)
                    )
            result = field_merge.merge(merged.kind, merged.name, field_sources, graphs)
            if result is not None:
                merged.fields[field_name] = result

    def propagate_interface_objects(
        self, types: dict[str, MergedType], sources: dict[str, list[TypeSource]]
    ) -> None:
        """Fields an @interfaceObject adds to an interface also appear on its implementations."""
        for name, merged in types.items():
            objects = [s for s in sources[name] if s.tdef.interface_object]
            if merged.kind is not Kind.INTERFACE or not objects:
                continue
            for impl in types.values():
                if impl.kind is not Kind.OBJECT or name not in impl.interfaces:
                    continue
                for source in objects:
                    for fname in source.tdef.fields:
                        if fname in impl.fields:
                            continue
                        origin = merged.fields[fname]
                        impl.fields[fname] = MergedField(
                            name=fname,
                            type=origin.type,
                            args=dict(origin.args),
                            description=origin.description,
                            deprecated=origin.deprecated,
                            inaccessible=origin.inaccessible,
                            tags=list(origin.tags),
                            joins=[{}],
                            via_interface_object={source.graph: name},
                        )


def _referenced_inaccessible(types: dict[str, MergedType]) -> list[CompositionError]:
    """An element of the API schema may not use a type that @inaccessible hides."""
    errors: list[CompositionError] = []
    for tdef in types.values():
        if tdef.inaccessible:
            continue
        for fdef in tdef.fields.values():
            refs = [(f"{tdef.name}.{fdef.name}", fdef.type)] if not fdef.inaccessible else []
            refs += [
                (f"{tdef.name}.{fdef.name}({a.name}:)", a.type)
                for a in fdef.args.values()
                if not (a.inaccessible or fdef.inaccessible)
            ]
            for coordinate, ref in refs:
                target = types.get(named_type(ref))
                if target is not None and target.inaccessible:
                    errors.append(
                        CompositionError(
                            "REFERENCED_INACCESSIBLE",
                            f'Type "{target.name}" is @inaccessible but is referenced by '
                            f'"{coordinate}", which is in the API schema.',
                            None,
                            coordinate,
                        )
                    )
    return errors


def _implemented_by_inaccessible(types: dict[str, MergedType]) -> list[CompositionError]:
    errors: list[CompositionError] = []
    for tdef in types.values():
        for iface_name in tdef.interfaces:
            iface = types.get(iface_name)
            if iface is None or iface.inaccessible:
                continue
            for fname, fdef in tdef.fields.items():
                ifield = iface.fields.get(fname)
                if fdef.inaccessible and ifield is not None and not ifield.inaccessible:
                    errors.append(
                        CompositionError(
                            "IMPLEMENTED_BY_INACCESSIBLE",
                            f'Field "{tdef.name}.{fname}" is @inaccessible but implements the '
                            f'interface field "{iface_name}.{fname}", which is in the API schema.',
                            None,
                            f"{tdef.name}.{fname}",
                        )
                    )
    return errors


def _only_inaccessible_children(types: dict[str, MergedType]) -> list[CompositionError]:
    errors: list[CompositionError] = []
    for tdef in types.values():
        children = list(tdef.fields.values()) + list(tdef.values.values())
        if tdef.inaccessible or not children or any(not c.inaccessible for c in children):
            continue
        what = "values" if tdef.kind is Kind.ENUM else "fields"
        errors.append(
            CompositionError(
                "ONLY_INACCESSIBLE_CHILDREN",
                f'Type "{tdef.name}" is in the API schema but all of its {what} are @inaccessible.',
                None,
                tdef.name,
            )
        )
    return errors


def _required_inaccessible(types: dict[str, MergedType]) -> list[CompositionError]:
    """Clients could not send a required input field or argument they cannot see."""
    required: list[tuple[str, str]] = []
    for tdef in types.values():
        for fdef in tdef.fields.values():
            coordinate = f"{tdef.name}.{fdef.name}"
            input_field = tdef.kind is Kind.INPUT and fdef.default is None
            if input_field and fdef.inaccessible and fdef.type.endswith("!"):
                required.append((coordinate, f'Input field "{coordinate}"'))
            for arg in fdef.args.values():
                if arg.inaccessible and arg.type.endswith("!") and arg.default is None:
                    arg_coordinate = f"{coordinate}({arg.name}:)"
                    required.append((arg_coordinate, f'Argument "{arg_coordinate}"'))
    return [
        CompositionError(
            "REQUIRED_INACCESSIBLE",
            f"{what} is @inaccessible but is a required input field of its type.",
            None,
            coordinate,
        )
        for coordinate, what in required
    ]


def _graph_enum_values(names: list[str]) -> list[str]:
    values: list[str] = []
    for name in names:
        value = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
        if value[:1].isdigit():
            value = "_" + value
        candidate, n = value, 1
        while candidate in values:
            candidate, n = f"{value}_{n}", n + 1
        values.append(candidate)
    return values


def _join_version(subgraphs: Sequence[ValidatedSubgraph]) -> str:
    highest = max(s.raw.fed_version for s in subgraphs)
    return next(v for minimum, v in _JOIN_VERSIONS if highest >= minimum)


@dataclass(frozen=True)
class MergeOutcome:
    supergraph: Supergraph | None
    hints: tuple[Hint, ...]
    errors: tuple[CompositionError, ...]


def merge(subgraphs: Sequence[ValidatedSubgraph]) -> MergeOutcome:
    ordered = sorted(subgraphs, key=lambda s: s.name)
    merger = _Merger(ordered)
    sources: dict[str, list[TypeSource]] = {}
    for subgraph in ordered:
        for tdef in subgraph.types.values():
            sources.setdefault(tdef.name, []).append(TypeSource(subgraph, tdef))
    types: dict[str, MergedType] = {}
    for name, type_sources in sources.items():
        merged = merger.merge_type(name, type_sources)
        if merged is not None:
            types[name] = merged
    merger.propagate_interface_objects(types, sources)
    enum_errors, enum_hints = merge_enums(
        types, {n: [(s.graph, s.tdef) for s in srcs] for n, srcs in sources.items()}
    )
    merger.errors.extend(enum_errors)
    merger.errors.extend(_referenced_inaccessible(types))
    merger.errors.extend(_implemented_by_inaccessible(types))
    merger.errors.extend(_only_inaccessible_children(types))
    merger.errors.extend(_required_inaccessible(types))
    merger.hints.extend(enum_hints)
    if merger.errors:
        return MergeOutcome(None, tuple(merger.hints), tuple(merger.errors))
    enum_values = _graph_enum_values([s.name for s in ordered])
    graphs = tuple(Graph(s.name, s.raw.url, v) for s, v in zip(ordered, enum_values, strict=True))
    used_specs = frozenset(spec for s in ordered for spec in s.raw.used_specs)
    supergraph = Supergraph(graphs, types, _join_version(ordered), used_specs)
    return MergeOutcome(supergraph, tuple(merger.hints), ())
