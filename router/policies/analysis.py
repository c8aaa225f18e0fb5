"""One cached analysis per (document text, operation name) and schema: limits, cost inputs and
the authorization requirements the operation touches. Computed before the pipeline's own
parse (which it does not replace), so nothing over a limit reaches validation or planning."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)

from router.policies.config import LimitSettings
from router.policies.directives import Access, SchemaRules
from router.policies.limits import MAX_NESTING, LimitError, check, measure, prescan


@dataclass(slots=True)
class Analysis:
    """None fields: the document does not parse or names no operation (the pipeline reports)."""

    error: LimitError | None = None
    document: DocumentNode | None = None
    operation: OperationDefinitionNode | None = None
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    needs: list[Access] = field(default_factory=list)
    static_cost: int | None = None  # cached when the cost does not depend on variables


class AnalysisCache:
    def __init__(self, size: int = 2_000) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str | None], Analysis] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(
        self,
        query: str,
        name: str | None,
        schema: GraphQLSchema,
        rules: SchemaRules,
        settings: LimitSettings,
    ) -> Analysis:
        key = (query, name)
        found = self.items.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = analyse(query, name, schema, rules, settings)
        self.items[key] = found
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return found

    def clear(self) -> None:
        self.items.clear()


def analyse(
    query: str,
    name: str | None,
    schema: GraphQLSchema,
    rules: SchemaRules,
    settings: LimitSettings,
) -> Analysis:
    from router.policies.authz import requirements

    try:
        if settings.enabled:
            prescan(query, settings)
        document = parse(query, max_tokens=settings.max_tokens, no_location=True)
    except LimitError as exc:
        return Analysis(error=exc)
    except RecursionError:
        return Analysis(error=LimitError(MAX_NESTING, "Document nesting is too deep."))
    except GraphQLError:
        return Analysis()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == name]
    if len(operations) != 1:
        return Analysis(document=document)
    operation = operations[0]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    try:
        if settings.enabled:
            check(measure(schema, operation, fragments), settings)
    except LimitError as exc:
        return Analysis(error=exc)
    needs = requirements(rules, schema, operation, fragments) if rules.access else []
    return Analysis(None, document, operation, fragments, needs)
