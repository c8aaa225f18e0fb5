"""`build_plan`: one operation -> `QueryPlan`, one branch per `@skip`/`@include` variable."""

from __future__ import annotations

from dataclasses import replace

from graphql import DocumentNode, OperationDefinitionNode, OperationType

from router.plan import (
    Condition,
    Fetch,
    Flatten,
    OperationKind,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
    Subscription,
)
from router.planner.errors import PlanningError
from router.planner.fetches import FetchBuilder
from router.planner.graph import Capabilities
from router.planner.groups import FetchGraph
from router.planner.merging import merge_levels, merge_siblings
from router.planner.operation import (
    Conditions,
    FieldCollector,
    condition_variables,
    fragment_map,
    select_operation,
)
from router.planner.schedule import build_nodes
from router.planner.traversal import Traversal
from router.supergraph import Supergraph

MAX_CONDITION_VARIABLES = 4
_KINDS = {
    OperationType.QUERY: OperationKind.QUERY,
    OperationType.MUTATION: OperationKind.MUTATION,
    OperationType.SUBSCRIPTION: OperationKind.SUBSCRIPTION,
}


def build_plan(
    supergraph: Supergraph,
    document: DocumentNode,
    operation_name: str | None = None,
    *,
    override_labels: frozenset[str] = frozenset(),
) -> QueryPlan:
    """Plan one operation of `document` (already validated against `supergraph.api_schema`).

    `override_labels` are the progressive `@override` labels that are on (see
    `Supergraph.override_labels()`); a plan cache must include them in its key. Pure and
    deterministic: the same inputs give an equal plan. Raises `PlanningError`."""
    operation = select_operation(document, operation_name)
    kind = _KINDS[operation.operation]
    try:
        planner = _OperationPlanner(supergraph, document, operation, kind, override_labels)
        if kind is OperationKind.SUBSCRIPTION:
            subscription = planner.plan_subscription()
            return QueryPlan(subscription, kind, planner.stats())
        return QueryPlan(planner.plan(), kind, planner.stats())
    except PlanningError:
        raise
    except (AssertionError, AttributeError, KeyError, TypeError, ValueError) as exc:
        # a planner bug must reach the client as a located planning error, not a crash
        raise PlanningError(
            "INTERNAL_PLANNING_ERROR", f"planner failure: {type(exc).__name__}: {exc}"
        ) from exc


class _OperationPlanner:
    def __init__(
        self,
        supergraph: Supergraph,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        kind: OperationKind,
        override_labels: frozenset[str],
    ) -> None:
        self.supergraph = supergraph
        self.caps = Capabilities(supergraph, override_labels)
        self.fragments = fragment_map(document)
        self.operation = operation
        self.kind = kind
        root = supergraph.schema.get_root_type(operation.operation)
        if root is None:
            raise PlanningError("UNSUPPORTED_OPERATION", f"no {operation.operation.value} type")
        self.root_type = root.name
        self.branched = 0
        definitions = operation.variable_definitions or ()
        self.builder = FetchBuilder(
            kind,
            operation.name.value if operation.name else None,
            {d.variable.name.value: d for d in definitions},
        )

    def plan(self) -> PlanNode | None:
        variables = condition_variables(self.operation.selection_set, self.fragments)
        # past the first few variables, branching would multiply plans: those conditions
        # are planned as "included" and the executor drops the fields when shaping
        self.branched = min(len(variables), MAX_CONDITION_VARIABLES)
        return self._branch(variables[:MAX_CONDITION_VARIABLES], {})

    def stats(self) -> dict[str, int]:
        """Fetches built (over all condition branches) and condition variables branched on."""
        return {"fetches": self.builder.next_id, "condition_variables": self.branched}

    def plan_subscription(self) -> Subscription:
        """The root fetch opens the event stream; the rest runs once per event. Conditions on
        variables are planned as "included" (a Subscription cannot sit in a Condition)."""
        node = self._plan_once({})
        nodes = node.nodes if isinstance(node, Sequence) else (node,)
        primary, rest = nodes[0], nodes[1:]
        if not isinstance(primary, Fetch) or primary.requires:
            raise PlanningError(
                "UNSUPPORTED_OPERATION", "a subscription must select exactly one root field"
            )
        if not rest:
            return Subscription(primary)
        return Subscription(primary, rest[0] if len(rest) == 1 else Sequence(tuple(rest)))

    def _branch(self, variables: list[str], conditions: dict[str, bool]) -> PlanNode | None:
        if not variables:
            return self._plan_once(conditions)
        name, rest = variables[0], variables[1:]
        if_clause = self._branch(rest, {**conditions, name: True})
        first_else_id = self.builder.next_id
        else_clause = self._branch(rest, {**conditions, name: False})
        if _same_plan(if_clause, else_clause):
            self.builder.next_id = first_else_id  # the else branch is dropped: reuse its ids
            return if_clause
        return Condition(name, if_clause, else_clause)

    def _plan_once(self, conditions: Conditions) -> PlanNode | None:
        collector = FieldCollector(self.supergraph.schema, self.fragments, conditions)
        graph = FetchGraph()
        traversal = Traversal(self.caps, collector, graph)
        traversal.client_variables = frozenset(self.builder.definitions)
        fields = collector.collect(self.root_type, [self.operation.selection_set])
        serial = self.kind is OperationKind.MUTATION
        split = self.kind is OperationKind.QUERY
        traversal.plan_root(self.root_type, fields, serial, split)
        merge_siblings(graph)
        if not serial:  # mutation fetches run in order: no level schedule across them
            merge_levels(graph, self.caps)
        return build_nodes(graph, self.builder.build, serial)


def _same_plan(a: PlanNode | None, b: PlanNode | None) -> bool:
    """Equal plans up to fetch ids (a condition that changes nothing is dropped)."""
    return _without_ids(a) == _without_ids(b)


def _without_ids(node: PlanNode | None) -> PlanNode | None:
    match node:
        case Fetch(operation_name=name):
            operation = node.operation.replace(f" {name}", "", 1) if name else node.operation
            return replace(node, id=0, operation_name=None, operation=operation)
        case Flatten(node=inner):
            return replace(node, node=_without_ids(inner))  # type: ignore[arg-type]
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return replace(node, nodes=tuple(_without_ids(n) for n in nodes))  # type: ignore[misc]
        case Condition(if_clause=if_clause, else_clause=else_clause):
            return replace(
                node, if_clause=_without_ids(if_clause), else_clause=_without_ids(else_clause)
            )
    return node
