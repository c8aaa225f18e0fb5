# mypy: disable-error-code="untyped-decorator"
# (strawberry decorators called with a description are untyped for mypy)
"""Mutations of the tickets subgraph: one `input`, a payload with `userErrors`."""

from __future__ import annotations

from typing import Any

import strawberry

from subgraphs.tickets.errors import InvalidInputError
from subgraphs.tickets.realtime import publish_presence
from subgraphs.tickets.resolvers.automations import AutomationMutations
from subgraphs.tickets.resolvers.common import (
    caller,
    ids,
    mutate,
    mutate_ticket,
    parse_id,
    require_id,
    to_filter,
)
from subgraphs.tickets.service import assignment, config, conversation, productivity, tickets
from subgraphs.tickets.service.access import require_agent, require_ticket
from subgraphs.tickets.service.tickets import UNSET, NewTicket, TicketChanges
from subgraphs.tickets.types.config import (
    BusinessCalendarPayload,
    CustomFieldPayload,
    MacroPayload,
    SlaPolicyPayload,
    TicketCommentPayload,
    TicketGroupPayload,
    TicketPayload,
    TicketPresencePayload,
    TicketPriorityPayload,
    TicketStatusPayload,
    TicketViewPayload,
)
from subgraphs.tickets.types.inputs import (
    AddTicketCommentInput,
    ApplyMacroInput,
    AssignTicketInput,
    CreateBusinessCalendarInput,
    CreateCustomFieldInput,
    CreateMacroInput,
    CreateSlaPolicyInput,
    CreateTicketInput,
    CreateTicketPriorityInput,
    CreateTicketStatusInput,
    MergeTicketsInput,
    RateTicketInput,
    SaveTicketGroupInput,
    SaveTicketViewInput,
    SetTicketPresenceInput,
    UpdateTicketInput,
)
from subgraphs.tickets.types.tickets import Ctx


def _maybe(value: Any, convert: Any = None) -> Any:
    if value is strawberry.UNSET:
        return UNSET
    if value is None or convert is None:
        return value
    return convert(value)


def _json_object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError(reason="expects an object", field=field)
    return value


def _new_ticket(data: CreateTicketInput) -> NewTicket:
    return NewTicket(
        subject=data.subject,
        description=data.description,
        requester_id=require_id(data.requester_id, "requesterId") if data.requester_id else None,
        assignee_id=require_id(data.assignee_id, "assigneeId") if data.assignee_id else None,
        group_id=require_id(data.group_id, "groupId") if data.group_id else None,
        priority=data.priority,
        status=data.status,
        type=data.type.value if data.type else "QUESTION",
        channel=data.channel.value if data.channel else "API",
        tags=tuple(data.tags or ()),
        custom_fields=_json_object(data.custom_fields, "customFields"),
        parent_id=require_id(data.parent_id, "parentId") if data.parent_id else None,
    )


def _changes(data: UpdateTicketInput) -> TicketChanges:
    def ident(raw: Any) -> Any:
        return require_id(raw, "id")

    return TicketChanges(
        subject=_maybe(data.subject),
        description=_maybe(data.description),
        status=_maybe(data.status),
        priority=_maybe(data.priority),
        type=_maybe(data.type, lambda t: t.value),
        group_id=_maybe(data.group_id, ident),
        assignee_id=_maybe(data.assignee_id, ident),
        tags=_maybe(data.tags),
        add_tags=tuple(data.add_tags or ()),
        remove_tags=tuple(data.remove_tags or ()),
        custom_fields=_json_object(data.custom_fields, "customFields"),
        parent_id=_maybe(data.parent_id, ident),
    )


@strawberry.type
class Mutation(AutomationMutations):
    @strawberry.mutation
    async def create_ticket(self, info: Ctx, input: CreateTicketInput) -> TicketPayload:
        return TicketPayload.of(
            await mutate_ticket(
                info, lambda s, scope, a: tickets.create_ticket(s, scope, a, _new_ticket(input))
            )
        )

    @strawberry.mutation
    async def update_ticket(self, info: Ctx, input: UpdateTicketInput) -> TicketPayload:
        return TicketPayload.of(
            await mutate_ticket(
                info,
                lambda s, scope, a: tickets.update_ticket(
                    s, scope, a, require_id(input.id, "id"), _changes(input)
                ),
            )
        )

    @strawberry.mutation
    async def add_ticket_comment(
        self, info: Ctx, input: AddTicketCommentInput
    ) -> TicketCommentPayload:
        links = [
            conversation.Attachment(a.name, a.url, a.content_type, a.size)
            for a in [*(input.links or []), *(input.attachments or [])]
        ]
        return TicketCommentPayload.of(
            await mutate(
                info,
                lambda s, scope, a: conversation.add_comment(
                    s,
                    scope,
                    a,
                    require_id(input.ticket_id, "ticketId"),
                    input.body,
                    public=input.public,
                    attachments=links,
                    file_ids=ids(input.attachment_ids, "attachmentIds"),
                ),
            )
        )

    @strawberry.mutation(description="Assign to a person, unassign (null), or `auto` by group.")
    async def assign_ticket(self, info: Ctx, input: AssignTicketInput) -> TicketPayload:
        async def work(session: Any, scope: Any, actor: Any) -> Any:
            require_agent(actor)
            ticket_id = require_id(input.ticket_id, "ticketId")
            if input.auto:
                ticket = await require_ticket(session, scope, actor, ticket_id, lock=True)
                from subgraphs.tickets.models import utcnow

                await assignment.auto_assign(session, scope, actor, ticket, utcnow(), required=True)
                return ticket
            assignee = require_id(input.assignee_id, "assigneeId") if input.assignee_id else None
            changes = TicketChanges(assignee_id=assignee)
            return await tickets.update_ticket(session, scope, actor, ticket_id, changes)

        return TicketPayload.of(await mutate_ticket(info, work))

    @strawberry.mutation(
        description="Merge source into target: comments and history move, "
        "the source is closed with a link to the target."
    )
    async def merge_tickets(self, info: Ctx, input: MergeTicketsInput) -> TicketPayload:
        return TicketPayload.of(
            await mutate_ticket(
                info,
                lambda s, scope, a: productivity.merge_tickets(
                    s,
                    scope,
                    a,
                    require_id(input.source_id, "sourceId"),
                    require_id(input.target_id, "targetId"),
                ),
            )
        )

    @strawberry.mutation
    async def apply_macro(self, info: Ctx, input: ApplyMacroInput) -> TicketPayload:
        return TicketPayload.of(
            await mutate_ticket(
                info,
                lambda s, scope, a: productivity.apply_macro(
                    s,
                    scope,
                    a,
                    require_id(input.ticket_id, "ticketId"),
                    require_id(input.macro_id, "macroId"),
                ),
            )
        )

    @strawberry.mutation(description="CSAT: the requester rates a solved ticket (1-5).")
    async def rate_ticket(self, info: Ctx, input: RateTicketInput) -> TicketPayload:
        return TicketPayload.of(
            await mutate_ticket(
                info,
                lambda s, scope, a: productivity.rate_ticket(
                    s, scope, a, require_id(input.ticket_id, "ticketId"), input.score, input.comment
                ),
            )
        )

    @strawberry.mutation
    async def create_ticket_status(
        self, info: Ctx, input: CreateTicketStatusInput
    ) -> TicketStatusPayload:
        return TicketStatusPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.create_status(
                    s, a, input.key, input.name, input.category.value, input.pauses_sla
                ),
            )
        )

    @strawberry.mutation
    async def create_ticket_priority(
        self, info: Ctx, input: CreateTicketPriorityInput
    ) -> TicketPriorityPayload:
        return TicketPriorityPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.create_priority(s, a, input.key, input.name, input.rank),
            )
        )

    @strawberry.mutation
    async def save_ticket_group(self, info: Ctx, input: SaveTicketGroupInput) -> TicketGroupPayload:
        members = (
            None
            if input.members is None
            else [(require_id(m.user_id, "members"), m.capacity) for m in input.members]
        )
        rule = input.auto_assign.value if input.auto_assign else None
        group_id = ids([input.id], "id")[0] if input.id else None
        return TicketGroupPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.save_group(s, a, group_id, input.name, rule, members),
            )
        )

    @strawberry.mutation
    async def create_ticket_custom_field(
        self, info: Ctx, input: CreateCustomFieldInput
    ) -> CustomFieldPayload:
        return CustomFieldPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.create_field(
                    s,
                    a,
                    input.key,
                    input.name,
                    input.kind.value,
                    input.options or [],
                    input.required,
                ),
            )
        )

    @strawberry.mutation
    async def create_business_calendar(
        self, info: Ctx, input: CreateBusinessCalendarInput
    ) -> BusinessCalendarPayload:
        hours = _json_object(input.hours, "hours")
        return BusinessCalendarPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.create_calendar(
                    s, a, input.name, input.timezone, hours, input.holidays or []
                ),
            )
        )

    @strawberry.mutation
    async def create_sla_policy(self, info: Ctx, input: CreateSlaPolicyInput) -> SlaPolicyPayload:
        data = config.PolicyInput(
            name=input.name,
            position=input.position,
            conditions=_json_object(input.conditions, "conditions"),
            targets=_json_object(input.targets, "targets"),
            calendar_id=require_id(input.calendar_id, "calendarId") if input.calendar_id else None,
            warn_before_minutes=input.warn_before_minutes,
        )
        return SlaPolicyPayload.of(
            await mutate(
                info,
                lambda s, _, a: config.create_policy(s, a, data),
            )
        )

    @strawberry.mutation
    async def create_macro(self, info: Ctx, input: CreateMacroInput) -> MacroPayload:
        data = productivity.MacroInput(
            input.name, _json_object(input.actions, "actions"), input.reply, input.reply_public
        )
        return MacroPayload.of(
            await mutate(
                info,
                lambda s, _, a: productivity.create_macro(s, a, data),
            )
        )

    @strawberry.mutation
    async def save_ticket_view(self, info: Ctx, input: SaveTicketViewInput) -> TicketViewPayload:
        spec = to_filter(input.filter)
        return TicketViewPayload.of(
            await mutate(
                info,
                lambda s, _, a: productivity.save_view(s, a, input.name, spec, shared=input.shared),
            )
        )

    @strawberry.mutation(description="Collision detection: say you view or reply to a ticket.")
    async def set_ticket_presence(
        self, info: Ctx, input: SetTicketPresenceInput
    ) -> TicketPresencePayload:
        scope, actor = caller(info)
        key = parse_id(input.ticket_id)

        async def work(session: Any, scope: Any, actor: Any) -> bool:
            if key is None:
                from subgraphs.tickets.errors import TicketNotFoundError

                raise TicketNotFoundError(field="ticketId")
            await require_ticket(session, scope, actor, key)
            return True

        result = await mutate(info, work)
        if isinstance(result, list):
            return TicketPresencePayload(ok=False, user_errors=result)
        assert key is not None
        await publish_presence(
            info.context.deps.pubsub, scope, key, actor.user_id, input.state.value
        )
        return TicketPresencePayload(ok=True, user_errors=[])
