"""SQL of tickets: numbering, tags and custom-field mirrors, search index, filtered pages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)

from subgraphs.kit.fulltext import fts5_matches, tsvector_match
from subgraphs.kit.repository import Repository
from subgraphs.tickets.models import (
    Counter,
    FieldValue,
    Priority,
    SlaClock,
    Ticket,
    TicketTag,
    aware,
)
from subgraphs.tickets.service.filters import OrderField, Ordering, ResolvedFilter

NUMBER_COUNTER = "ticket_number"
OPEN_CATEGORIES = ("NEW", "OPEN", "PENDING", "ON_HOLD")


class TicketRepository(Repository[Ticket]):
    model = Ticket

    @property
    def dialect(self) -> str:
        return str(self.session.get_bind().dialect.name)

    async def next_number(self) -> int:
        """Race-free: the UPDATE locks the counter row until the transaction ends."""
        statement = (
            update(Counter)
            .where(Counter.name == NUMBER_COUNTER)
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def find(self, ticket_id: uuid.UUID) -> Ticket | None:
        return await self.find_one(self.base().where(Ticket.id == ticket_id))

    async def find_for_update(self, ticket_id: uuid.UUID) -> Ticket | None:
        """The row locked until commit: `FOR UPDATE` on PostgreSQL; on SQLite the write
        transaction already holds the database's write lock (`kit.db.begin_write`)."""
        locked = self.base().where(Ticket.id == ticket_id).with_for_update()
        # a row read earlier in the transaction is refreshed from the locked read
        return await self.find_one(locked.execution_options(populate_existing=True))

    async def find_by_number(self, number: int) -> Ticket | None:
        return await self.find_one(self.base().where(Ticket.number == number))

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Ticket]:
        return await self.find_all(self.base().where(Ticket.id.in_(list(ids))))

    async def list_children(self, parent_ids: Sequence[uuid.UUID]) -> Sequence[Ticket]:
        statement = self.base().where(Ticket.parent_id.in_(list(parent_ids)))
        return await self.find_all(statement.order_by(Ticket.number))

    async def replace_tags(
        self, ticket_id: uuid.UUID, tags: Sequence[str], *, fresh: bool = False
    ) -> None:
        """`fresh`: a ticket created in this transaction has no rows to delete."""
        if not fresh:
            await self.session.execute(delete(TicketTag).where(TicketTag.ticket_id == ticket_id))
        if tags:
            rows = [{"ticket_id": ticket_id, "tag": tag} for tag in tags]
            await self.session.execute(insert(TicketTag), rows)

    async def replace_field_values(
        self,
        ticket_id: uuid.UUID,
        values: Sequence[tuple[uuid.UUID, str, float | None]],
        *,
        fresh: bool = False,
    ) -> None:
        if not fresh:
            await self.session.execute(delete(FieldValue).where(FieldValue.ticket_id == ticket_id))
        if values:
            rows = [
                {"ticket_id": ticket_id, "field_id": f, "value": v, "number": n}
                for f, v, n in values
            ]
            await self.session.execute(insert(FieldValue), rows)

    async def index_search(self, ticket: Ticket) -> None:
        """SQLite keeps an FTS5 table; PostgreSQL's tsvector column is generated."""
        if self.dialect == "postgresql":
            return
        key = ticket.id.hex
        await self.session.execute(text("DELETE FROM tickets_fts WHERE ticket_id = :k"), {"k": key})
        body = f"{ticket.subject}\n{ticket.description}\n{ticket.search_text}"
        await self.session.execute(
            text("INSERT INTO tickets_fts (ticket_id, body) VALUES (:k, :b)"), {"k": key, "b": body}
        )

    async def open_load(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Open tickets per assignee (least-loaded assignment and capacity)."""
        statement = (
            select(Ticket.assignee_id, func.count())
            .where(Ticket.assignee_id.in_(list(user_ids)))
            .where(Ticket.category.in_(OPEN_CATEGORIES))
            .group_by(Ticket.assignee_id)
        )
        rows = (await self.session.execute(statement)).all()
        return {row[0]: int(row[1]) for row in rows if row[0] is not None}

    # -- queries -------------------------------------------------------------------------

    def _filtered(self, spec: ResolvedFilter, now: datetime) -> Select[Any]:
        statement: Select[Any] = self.base()
        for condition in self._conditions(spec, now):
            statement = statement.where(condition)
        return statement

    def _conditions(self, spec: ResolvedFilter, now: datetime) -> list[ColumnElement[bool]]:
        f = spec.base
        found: list[ColumnElement[bool]] = []
        if spec.impossible:
            found.append(literal_column("1") == 0)
        if spec.only_requester is not None:
            found.append(Ticket.requester_id == spec.only_requester)
        pairs: list[tuple[Any, Sequence[Any]]] = [
            (Ticket.id, f.ids),
            (Ticket.status_id, spec.status_ids),
            (Ticket.category, f.categories),
            (Ticket.assignee_id, f.assignee_ids),
            (Ticket.requester_id, f.requester_ids),
            (Ticket.group_id, f.group_ids),
            (Ticket.priority_id, spec.priority_ids),
            (Ticket.type, f.types),
            (Ticket.channel, f.channels),
        ]
        found.extend(column.in_(list(values)) for column, values in pairs if values)
        if f.unassigned is not None:
            found.append(
                Ticket.assignee_id.is_(None) if f.unassigned else Ticket.assignee_id.is_not(None)
            )
        found.extend(self._tag_conditions(spec))
        for field_id, value in spec.custom_fields:
            found.append(
                exists().where(
                    FieldValue.ticket_id == Ticket.id,
                    FieldValue.field_id == field_id,
                    FieldValue.value == value,
                )
            )
        if f.sla_breached is not None:
            breached = exists().where(
                SlaClock.ticket_id == Ticket.id,
                or_(
                    SlaClock.breached_at.is_not(None),
                    and_(
                        SlaClock.fulfilled_at.is_(None),
                        SlaClock.running_since.is_not(None),
                        SlaClock.due_at < now,
                    ),
                ),
            )
            found.append(breached if f.sla_breached else ~breached)
        ranges = [
            (f.created_after, Ticket.created_at, True),
            (f.created_before, Ticket.created_at, False),
            (f.updated_after, Ticket.updated_at, True),
            (f.updated_before, Ticket.updated_at, False),
        ]
        for bound, column, lower in ranges:
            if bound is not None:
                # in UTC: SQLite stores UTC text without an offset, so 12:00+02:00 must
                # compare as 10:00 (a naive bound is taken as UTC)
                at = aware(bound).astimezone(UTC)
                found.append(column >= at if lower else column < at)
        if f.search:
            found.append(self._search_condition(f.search))
        return found

    def _tag_conditions(self, spec: ResolvedFilter) -> list[ColumnElement[bool]]:
        f = spec.base
        found: list[ColumnElement[bool]] = []
        if f.tags_any:
            found.append(
                exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.tag.in_(f.tags_any))
            )
        found.extend(
            exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.tag == tag)
            for tag in f.tags_all
        )
        return found

    def _search_condition(self, query: str) -> ColumnElement[bool]:
        """Exact words (no `*` prefixes), via the kit's full-text helpers."""
        if self.dialect == "postgresql":
            return tsvector_match("tickets_tickets.search_vector", query, prefixes=False)
        matches = fts5_matches("tickets_fts", "ticket_id", Ticket.id.type, query, prefixes=False)
        return Ticket.id.in_(select(matches.c.key))

    def _sort_column(self, ordering: Ordering) -> Any:
        return {
            OrderField.CREATED_AT: Ticket.created_at,
            OrderField.UPDATED_AT: Ticket.updated_at,
            OrderField.NUMBER: Ticket.number,
            OrderField.PRIORITY: Priority.rank,
        }[ordering.field]

    async def page(
        self,
        spec: ResolvedFilter,
        ordering: Ordering,
        after: tuple[Any, int] | None,
        size: int,
        now: datetime,
    ) -> list[tuple[Ticket, Any]]:
        """`size + 1` tickets after the keyset `(sort value, number)`, with their sort value."""
        column = self._sort_column(ordering)
        statement = self._filtered(spec, now).add_columns(column)
        if ordering.field is OrderField.PRIORITY:
            statement = statement.join(Priority, Priority.id == Ticket.priority_id)
        if after is not None:
            pair, key = tuple_(column, Ticket.number), tuple_(*after)
            statement = statement.where(pair < key if ordering.descending else pair > key)
        if ordering.descending:
            statement = statement.order_by(column.desc(), Ticket.number.desc())
        else:
            statement = statement.order_by(column.asc(), Ticket.number.asc())
        rows = (await self.session.execute(statement.limit(size + 1))).all()
        return [(row[0], row[1]) for row in rows]

    async def count(self, spec: ResolvedFilter, now: datetime) -> int:
        inner = self._filtered(spec, now).with_only_columns(Ticket.id).subquery()
        statement = select(func.count()).select_from(inner)
        return int((await self.session.execute(statement)).scalar_one())
