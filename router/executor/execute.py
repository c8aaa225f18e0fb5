"""Interpret a query plan: one arm per node kind, then shape the client's response."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from router.executor.context import NON_NULL_VIOLATION, ExecutionContext, ExecutionState
from router.executor.fetch import run_entity_fetch, run_root_fetch
from router.executor.merge import merge_into
from router.executor.shape import OperationShape, shape_response
from router.plan import (
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
    Subscription,
)


async def execute_plan(
    plan: QueryPlan,
    operation: OperationShape,
    variables: Mapping[str, Any],
    context: ExecutionContext,
    *,
    coerced_variables: Mapping[str, Any] | None = None,
    initial_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run `plan` and return the GraphQL response (`data`, and `errors` when any).

    `variables` are the client's raw values, forwarded to subgraphs; `coerced_variables` (with
    defaults applied) decide `Condition` nodes and `@skip`/`@include`. `initial_data` is merged
    first (introspection answered locally). Subgraph failures become errors plus nulls; this
    function does not raise for them."""
    conditions = coerced_variables if coerced_variables is not None else variables
    state = ExecutionState(context, variables, conditions)
    if initial_data:
        merge_into(state.data, initial_data)
    node = plan.node
    if isinstance(node, Subscription):
        raise TypeError("subscriptions are not executed by execute_plan")
    if node is not None:
        await run_node(node, state)
    root = operation.root(conditions)
    data, violations = shape_response(state.data, root, report_nulls=not state.errors)
    response: dict[str, Any] = {"data": data}
    for violation in violations:
        state.errors.append(
            {
                "message": violation.message,
                "path": violation.path,
                "extensions": {"code": NON_NULL_VIOLATION},
            }
        )
    if state.errors:
        response["errors"] = state.errors
    return response


async def run_node(node: PlanNode, state: ExecutionState) -> None:
    match node:
        case Fetch():
            await run_root_fetch(node, state)
        case Flatten(node=Fetch() as fetch):
            await run_entity_fetch(fetch, node.paths, state)
        case Flatten():
            raise TypeError("Flatten must wrap a Fetch")
        case Sequence(nodes=nodes):
            for child in nodes:
                await run_node(child, state)
        case Parallel(nodes=nodes):
            async with asyncio.TaskGroup() as group:
                for child in nodes:
                    group.create_task(run_node(child, state))
        case Condition(variable=variable, if_clause=if_clause, else_clause=else_clause):
            branch = if_clause if state.conditions.get(variable) else else_clause
            if branch is not None:
                await run_node(branch, state)
