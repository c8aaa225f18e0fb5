# mypy: disable-error-code="untyped-decorator"
# (strawberry decorators called with a description are untyped for mypy)
"""`Ticket` (entity), its conversation, history and SLA state; the `User` stub."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.relay import Connection
from subgraphs.tickets import models
from subgraphs.tickets.deps import TicketsDeps
from subgraphs.tickets.loaders import (
    ChangesByTicket,
    ChildrenByTicket,
    CommentsByTicket,
    GroupsById,
    PrioritiesById,
    SlaByTicketId,
    StatusesById,
    TicketsById,
)
from subgraphs.tickets.sla.clock import SlaState

Ctx = Info[SubgraphContext[TicketsDeps], None]

# the domain enums, exposed under GraphQL names (strawberry.enum registers the class itself)
strawberry.enum(models.StatusCategory, name="TicketStatusCategory")
strawberry.enum(models.Channel, name="TicketChannel")
strawberry.enum(models.TicketType, name="TicketType")
strawberry.enum(models.SlaMetric, name="SlaMetric")
strawberry.enum(models.AutoAssign, name="AutoAssignRule")
strawberry.enum(models.FieldKind, name="CustomFieldKind")
StatusCategory = models.StatusCategory
Channel = models.Channel
TicketType = models.TicketType
SlaMetric = models.SlaMetric
AutoAssign = models.AutoAssign
FieldKind = models.FieldKind


def reads_all(info: Ctx) -> bool:
    principal = info.context.principal
    return principal is not None and (
        principal.can("tickets:read") or principal.can("tickets:write")
    )


@strawberry.type(name="TicketStatus")
class TicketStatus:
    id: strawberry.ID
    key: str
    name: str
    category: StatusCategory
    pauses_sla: bool
    position: int

    @classmethod
    def of(cls, row: models.Status) -> TicketStatus:
        return cls(
            id=strawberry.ID(str(row.id)),
            key=row.key,
            name=row.name,
            category=models.StatusCategory(row.category),
            pauses_sla=row.pauses_sla,
            position=row.position,
        )


@strawberry.type(name="TicketPriority")
class TicketPriority:
    id: strawberry.ID
    key: str
    name: str
    rank: int

    @classmethod
    def of(cls, row: models.Priority) -> TicketPriority:
        return cls(id=strawberry.ID(str(row.id)), key=row.key, name=row.name, rank=row.rank)


@strawberry.type(name="TicketGroup")
class TicketGroup:
    id: strawberry.ID
    name: str
    auto_assign: AutoAssign

    @classmethod
    def of(cls, row: models.Group) -> TicketGroup:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            auto_assign=models.AutoAssign(row.auto_assign),
        )


@strawberry.type(name="TicketAttachment")
class Attachment:
    name: str
    url: str
    content_type: str
    size: int


@strawberry.federation.type(
    name="File",
    keys=[Key(fields=FieldSet("id"), resolvable=False)],
    description="A stored file; the files subgraph resolves name, size, type and download URL.",
)
class File:
    id: strawberry.ID


@strawberry.type(name="TicketComment")
class Comment:
    id: strawberry.ID
    body: str
    public: bool
    author: User
    attachments: list[File | None] = strawberry.field(
        description="Files of the files subgraph, in the order given (at most 10); a file "
        "deleted since is null rather than failing the comment."
    )
    links: list[Attachment] = strawberry.field(
        description="Reference-style attachments (name, url): what `attachments` were before "
        "the files subgraph."
    )
    mentions: list[str]
    created_at: datetime

    @classmethod
    def of(cls, row: models.Comment) -> Comment:
        return cls(
            id=strawberry.ID(str(row.id)),
            body=row.body,
            public=row.public,
            author=User(id=strawberry.ID(str(row.author_id))),
            attachments=[File(id=strawberry.ID(f)) for f in orjson.loads(row.file_ids)],
            links=[Attachment(**a) for a in orjson.loads(row.attachments)],
            mentions=orjson.loads(row.mentions),
            created_at=models.aware(row.created_at),
        )


@strawberry.type(name="TicketFieldChange", description="One field change: who, when, old -> new.")
class FieldChange:
    field: str
    old: str | None
    new: str | None
    at: datetime
    actor: User | None
    via: str | None = strawberry.field(
        description="What made the change on the actor's behalf, e.g. `automation: <name>`."
    )

    @classmethod
    def of(cls, row: models.Change) -> FieldChange:
        actor = User(id=strawberry.ID(str(row.actor_id))) if row.actor_id else None
        return cls(
            field=row.field,
            old=row.old,
            new=row.new,
            at=models.aware(row.at),
            actor=actor,
            via=row.via,
        )


@strawberry.type(name="SlaTarget", description="Live state of one SLA metric of a ticket.")
class SlaTarget:
    metric: SlaMetric
    cycle: int
    target_at: datetime | None
    remaining_seconds: float
    breached: bool
    paused: bool
    fulfilled_at: datetime | None

    @classmethod
    def of(cls, value: SlaState) -> SlaTarget:
        return cls(
            metric=models.SlaMetric(value.metric),
            cycle=value.cycle,
            target_at=value.target_at,
            remaining_seconds=value.remaining_seconds,
            breached=value.breached,
            paused=value.paused,
            fulfilled_at=value.fulfilled_at,
        )


@strawberry.type(name="TicketCsat")
class Csat:
    score: int | None
    comment: str | None
    requested_at: datetime | None


@strawberry.federation.type(name="Ticket", keys=["id"])
class Ticket:
    id: strawberry.ID
    number: int
    subject: str
    description: str
    type: TicketType
    channel: Channel
    tags: list[str]
    custom_fields: JSON
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    row: strawberry.Private[models.Ticket]

    @classmethod
    def of(cls, row: models.Ticket) -> Ticket:
        def at(value: datetime | None) -> datetime | None:
            return models.aware(value) if value is not None else None

        return cls(
            id=strawberry.ID(str(row.id)),
            number=row.number,
            subject=row.subject,
            description=row.description,
            type=models.TicketType(row.type),
            channel=models.Channel(row.channel),
            tags=orjson.loads(row.tags),
            custom_fields=orjson.loads(row.custom_fields),
            created_at=models.aware(row.created_at),
            updated_at=models.aware(row.updated_at),
            first_responded_at=at(row.first_responded_at),
            solved_at=at(row.solved_at),
            closed_at=at(row.closed_at),
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Ticket | None:
        from subgraphs.tickets.entities import resolve_ticket_reference

        return await resolve_ticket_reference(info, id)

    @strawberry.field(description="The human number, e.g. #1042.")
    def display_number(self) -> str:
        return f"#{self.number}"

    @strawberry.field
    async def status(self, info: Ctx) -> TicketStatus:
        row = await info.context.loaders.get(StatusesById).load(self.row.status_id)
        assert row is not None
        return TicketStatus.of(row)

    @strawberry.field
    async def priority(self, info: Ctx) -> TicketPriority:
        row = await info.context.loaders.get(PrioritiesById).load(self.row.priority_id)
        assert row is not None
        return TicketPriority.of(row)

    @strawberry.field
    async def group(self, info: Ctx) -> TicketGroup | None:
        if self.row.group_id is None:
            return None
        row = await info.context.loaders.get(GroupsById).load(self.row.group_id)
        return TicketGroup.of(row) if row is not None else None

    @strawberry.field
    def requester(self) -> User:
        return User(id=strawberry.ID(str(self.row.requester_id)))

    @strawberry.field
    def assignee(self) -> User | None:
        key = self.row.assignee_id
        return User(id=strawberry.ID(str(key))) if key is not None else None

    @strawberry.field(description="Live SLA state of each metric.")
    async def sla(self, info: Ctx) -> list[SlaTarget]:
        states = await info.context.loaders.get(SlaByTicketId).load(self.row.id)
        return [SlaTarget.of(s) for s in states or []]

    @strawberry.field
    async def sla_breached(self, info: Ctx) -> bool:
        states = await info.context.loaders.get(SlaByTicketId).load(self.row.id)
        return any(s.breached for s in states or [])

    @strawberry.field(description="Public replies; internal notes too for agents and viewers.")
    async def comments(self, info: Ctx) -> list[Comment]:
        key = (self.row.id, reads_all(info))
        rows = await info.context.loaders.get(CommentsByTicket).load(key)
        return [Comment.of(r) for r in rows or []]

    @strawberry.field(description="Every field change, oldest first (agents and viewers).")
    async def history(self, info: Ctx) -> list[FieldChange]:
        if not reads_all(info):
            return []
        rows = await info.context.loaders.get(ChangesByTicket).load(self.row.id)
        return [FieldChange.of(r) for r in rows or []]

    @strawberry.field
    async def parent(self, info: Ctx) -> Ticket | None:
        return await _linked(info, self.row.parent_id)

    @strawberry.field(description="The ticket this one was merged into (then it is closed).")
    async def merged_into(self, info: Ctx) -> Ticket | None:
        return await _linked(info, self.row.merged_into_id)

    @strawberry.field
    async def children(self, info: Ctx) -> list[Ticket]:
        rows = await info.context.loaders.get(ChildrenByTicket).load(self.row.id)
        mine = reads_all(info)
        user = info.context.principal.user_id if info.context.principal else None
        return [Ticket.of(r) for r in rows or [] if mine or r.requester_id == user]

    @strawberry.field
    def csat(self) -> Csat | None:
        row = self.row
        if row.csat_requested_at is None and row.csat_score is None:
            return None
        requested = models.aware(row.csat_requested_at) if row.csat_requested_at else None
        return Csat(score=row.csat_score, comment=row.csat_comment, requested_at=requested)


async def _linked(info: Ctx, key: uuid.UUID | None) -> Ticket | None:
    if key is None:
        return None
    row = await info.context.loaders.get(TicketsById).load(key)
    if row is None:
        return None
    principal = info.context.principal
    if not reads_all(info) and (principal is None or row.requester_id != principal.user_id):
        return None
    return Ticket.of(row)


@strawberry.federation.type(name="User", keys=["id"])
class User:
    """A person of the identity subgraph; tickets adds their ticket connections."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)

    @strawberry.field(description="Tickets assigned to this user.")
    async def assigned_tickets(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Ticket]:
        from subgraphs.tickets.resolvers.queries import user_tickets

        return await user_tickets(info, self.id, "assignee", first, after)

    @strawberry.field(description="Tickets this user requested.")
    async def requested_tickets(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Ticket]:
        from subgraphs.tickets.resolvers.queries import user_tickets

        return await user_tickets(info, self.id, "requester", first, after)
