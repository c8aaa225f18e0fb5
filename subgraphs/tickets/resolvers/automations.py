# mypy: disable-error-code="untyped-decorator"
"""Automations: `ticketAutomations`, `saveTicketAutomation`, `deleteTicketAutomation`
(all need `tickets:admin`)."""

from __future__ import annotations

from typing import Any

import strawberry

from subgraphs.tickets.resolvers.common import mutate, read, require_id
from subgraphs.tickets.service import automation_rules as rules
from subgraphs.tickets.types.automations import (
    ActionsInput,
    Automation,
    ConditionInput,
    DeleteTicketAutomationInput,
    DeleteTicketAutomationPayload,
    SaveTicketAutomationInput,
    TicketAutomationPayload,
)
from subgraphs.tickets.types.tickets import Ctx


def _conditions(raw: list[ConditionInput] | None) -> tuple[rules.Condition, ...]:
    return tuple(
        rules.Condition(c.field.value, c.operator.value, tuple(c.values or ()), c.key)
        for c in raw or []
    )


def _actions(raw: ActionsInput) -> dict[str, Any]:
    actions: dict[str, Any] = {
        "status": raw.status,
        "priority": raw.priority,
        "type": raw.type.value if raw.type else None,
        "group_id": str(require_id(raw.group_id, "groupId")) if raw.group_id else None,
        "add_tags": raw.add_tags or None,
        "remove_tags": raw.remove_tags or None,
        "internal_note": raw.internal_note,
        "auto_assign": True if raw.auto_assign else None,
    }
    if raw.assignee_id:
        actions["assignee_id"] = str(require_id(raw.assignee_id, "assigneeId"))
    elif raw.unassign:
        actions["assignee_id"] = None
    return {k: v for k, v in actions.items() if v is not None or k == "assignee_id"}


@strawberry.type
class AutomationQueries:
    @strawberry.field(description="The tenant's automations in evaluation order (admins).")
    async def ticket_automations(self, info: Ctx) -> list[Automation]:
        found = await read(info, lambda s, _, a: rules.list_automations(s, a))
        return [Automation.of(r) for r in found]


@strawberry.type
class AutomationMutations:
    @strawberry.mutation(description="Create (no id) or replace an automation.")
    async def save_ticket_automation(
        self, info: Ctx, input: SaveTicketAutomationInput
    ) -> TicketAutomationPayload:
        async def work(session: Any, _: Any, actor: Any) -> Any:
            data = rules.AutomationInput(
                name=input.name,
                position=input.position,
                triggers=tuple(t.value for t in input.triggers),
                conditions=_conditions(input.conditions),
                any_conditions=_conditions(input.any_conditions),
                actions=_actions(input.actions),
                active=input.active,
            )
            if input.id is None:
                return await rules.create_automation(session, actor, data)
            key = require_id(input.id, "id")
            return await rules.update_automation(session, actor, key, data)

        return TicketAutomationPayload.of(await mutate(info, work))

    @strawberry.mutation
    async def delete_ticket_automation(
        self, info: Ctx, input: DeleteTicketAutomationInput
    ) -> DeleteTicketAutomationPayload:
        async def work(session: Any, _: Any, actor: Any) -> Any:
            return await rules.delete_automation(session, actor, require_id(input.id, "id"))

        return DeleteTicketAutomationPayload.of(await mutate(info, work))
