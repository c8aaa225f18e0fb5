"""Input objects and enums: intersection semantics where values flow into subgraphs.

An input object keeps only the fields every subgraph defines (a required field missing
somewhere is an error). An enum used only in outputs keeps the union of its values, one used
only in inputs the intersection, and one used in both must agree everywhere
(ENUM_VALUE_MISMATCH).
"""

from __future__ import annotations

from router.compose.hints import inconsistent_enum_value, inconsistent_input_field
from router.compose.merge_fields import _merge_applied
from router.compose.model import Kind, TypeDef, named_type
from router.compose.result import CompositionError, Hint
from router.compose.supergraph import MergedEnumValue, MergedField, MergedType
from router.compose.typerefs import merge_types

Sources = list[tuple[str, TypeDef]]


def merge_input_fields(
    name: str, sources: Sources
) -> tuple[dict[str, MergedField], list[CompositionError], list[Hint]]:
    errors: list[CompositionError] = []
    hints: list[Hint] = []
    fields: dict[str, MergedField] = {}
    for field_name in dict.fromkeys(f for _, t in sources for f in t.fields):
        coordinate = f"{name}.{field_name}"
        having = [(g, t.fields[field_name]) for g, t in sources if field_name in t.fields]
        missing = [g for g, t in sources if field_name not in t.fields]
        if missing:
            if any(d.type.endswith("!") for _, d in having):  # a default does not matter here
                errors.append(
                    CompositionError(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is not defined in subgraph "
                        f'"{missing[0]}"',
                        missing[0],
                        coordinate,
                    )
                )
            else:
                hints.append(inconsistent_input_field(coordinate, missing))
            continue
        merged_type = merge_types([d.type for _, d in having], output=False)
        if merged_type is None:
            errors.append(
                CompositionError(
                    "FIELD_TYPE_MISMATCH",
                    f'Type of field "{coordinate}" is incompatible across subgraphs',
                    having[-1][0],
                    coordinate,
                )
            )
            continue
        defaults = {d.default for _, d in having if d.default is not None}
        if len(defaults) > 1:
            errors.append(
                CompositionError(
                    "INPUT_FIELD_DEFAULT_MISMATCH",
                    f'Input field "{coordinate}" has incompatible default values across '
                    f"subgraphs: {', '.join(sorted(defaults))}",
                    having[-1][0],
                    coordinate,
                )
            )
            continue
        merged = MergedField(name=field_name, type=merged_type)
        # a default only where every subgraph declares it
        merged.default = having[0][1].default if all(d.default for _, d in having) else None
        _merge_applied(merged, [d for _, d in having])
        if any(d.type != merged_type for _, d in having):
            merged.joins = [{"graph": g, "type": d.type} for g, d in having]
        fields[field_name] = merged
    if not fields:
        errors.append(
            CompositionError(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{name}" are consistently defined in '
                "all the subgraphs defining that type.",
                sources[0][0],
                name,
            )
        )
    return fields, errors, hints


def _enum_usage(types: dict[str, MergedType]) -> tuple[dict[str, str], dict[str, str]]:
    """enum name -> an example coordinate using it as input / as output."""
    as_input: dict[str, str] = {}
    as_output: dict[str, str] = {}
    for tdef in types.values():
        for fdef in tdef.fields.values():
            coordinate = f"{tdef.name}.{fdef.name}"
            target = as_input if tdef.kind is Kind.INPUT else as_output
            target.setdefault(named_type(fdef.type), coordinate)
            for arg in fdef.args.values():
                as_input.setdefault(named_type(arg.type), f"{coordinate}({arg.name}:)")
    return as_input, as_output


def merge_enums(
    types: dict[str, MergedType], sources: dict[str, Sources]
) -> tuple[list[CompositionError], list[Hint]]:
    errors: list[CompositionError] = []
    hints: list[Hint] = []
    as_input, as_output = _enum_usage(types)
    for name, merged in types.items():
        if merged.kind is not Kind.ENUM:
            continue
        enum_sources = sources[name]
        for value_name in dict.fromkeys(v for _, t in enum_sources for v in t.values):
            coordinate = f"{name}.{value_name}"
            having = [(g, t.values[value_name]) for g, t in enum_sources if value_name in t.values]
            missing = [g for g, t in enum_sources if value_name not in t.values]
            if missing and name in as_input and name in as_output:
                errors.append(
                    CompositionError(
                        "ENUM_VALUE_MISMATCH",
                        f'Enum type "{name}" is used as both input type (for example, as type '
                        f'of "{as_input[name]}") and output type (for example, as type of '
                        f'"{as_output[name]}"), but value "{value_name}" is not defined in all '
                        f'the subgraphs defining "{name}": "{value_name}" is defined in '
                        f'subgraph "{having[0][0]}" but not in subgraph "{missing[0]}"',
                        missing[0],
                        coordinate,
                    )
                )
                continue
            if missing and name in as_input:
                hints.append(inconsistent_enum_value(coordinate, missing))
                continue
            value = MergedEnumValue(name=value_name, graphs=[g for g, _ in having])
            _merge_applied(value, [v for _, v in having])
            merged.values[value_name] = value
    return errors, hints
