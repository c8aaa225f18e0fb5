"""Custom field values (typed per field) and comments with @mentions."""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.projects.errors import FieldNotFoundError, InvalidInputError
from subgraphs.projects.events import TaskCommented
from subgraphs.projects.models import Comment, CustomField, CustomFieldValue, FieldType, Task
from subgraphs.projects.repository.projects import CustomFieldRepository, ProjectRepository
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.service.common import (
    clean_text,
    get_project,
    get_task,
    now,
    record_changes,
)

# `@[Ada](user:<uuid>)` as editors insert it, or a bare `@<uuid>`
MENTION = re.compile(
    r"@(?:\[[^\]\n]{0,100}\]\(user:)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)?"
)


SEARCH_TEXT_LIMIT = 200_000


def mentions_in(body: str) -> list[uuid.UUID]:
    return list(dict.fromkeys(uuid.UUID(m.group(1)) for m in MENTION.finditer(body)))


def _invalid_choice(kind: FieldType, field: CustomField, raw: str) -> bool:
    if kind is FieldType.SELECT:
        return raw not in field.options.split("\n")
    return kind is FieldType.TEXT and len(raw) > 2000


def _typed(field: CustomField, raw: str, value: CustomFieldValue) -> None:
    kind = FieldType(field.type)
    value.value_text = raw
    try:
        if kind is FieldType.NUMBER:
            value.value_number = float(raw)
            value.value_text = repr(value.value_number)
        elif kind is FieldType.DATE:
            value.value_date = date.fromisoformat(raw)
        elif kind is FieldType.BOOLEAN:
            if raw.lower() not in {"true", "false"}:
                raise ValueError(raw)
            value.value_bool = raw.lower() == "true"
            value.value_text = raw.lower()
        if _invalid_choice(kind, field, raw):
            raise ValueError(raw)
    except ValueError as exc:
        raise InvalidInputError(
            field="value", what=f"value for {field.name}", reason=f"expected {kind.value}"
        ) from exc


async def set_field_value(
    actor: Principal,
    session: AsyncSession,
    task_id: uuid.UUID,
    field_id: uuid.UUID,
    raw: str | None,
) -> Task:
    task = await get_task(session, task_id)
    repository = CustomFieldRepository(session)
    field = await repository.find(field_id)
    if field is None or field.project_id not in (None, task.project_id):
        raise FieldNotFoundError(field="fieldId")
    existing = await repository.find_value(task.id, field.id)
    old = existing.value_text if existing else None
    if raw is None:
        await repository.delete_value(task.id, field.id)
    else:
        value = existing or CustomFieldValue(task_id=task.id, field_id=field.id)
        _typed(field, raw.strip(), value)
        session.add(value)
    new = None if raw is None else value.value_text
    if record_changes(session, task, actor, [(f"custom:{field.name}", old, new)]):
        task.updated_at = now()
    return task


async def _may_follow(
    session: AsyncSession, project_id: uuid.UUID, users: list[uuid.UUID]
) -> list[uuid.UUID]:
    project = await get_project(session, project_id)
    if not users or not project.private:
        return users
    members = {m.user_id for m in await ProjectRepository(session).members_of([project_id])}
    return [u for u in users if u in members]


async def add_comment(
    actor: Principal, session: AsyncSession, task_id: uuid.UUID, body: str
) -> Comment:
    task = await get_task(session, task_id)
    text = clean_text(body, field="body", what="comment", maximum=20_000)
    mentioned = mentions_in(text)
    comment = Comment(
        id=uuid.uuid4(),
        task_id=task.id,
        author_id=actor.user_id,
        body=text,
        mentions=" ".join(map(str, mentioned)),
        created_at=now(),
    )
    session.add(comment)
    # in a private project only members are told (watchers, notifications): a mention does
    # not reveal the task to someone who cannot open it
    mentioned = await _may_follow(session, task.project_id, mentioned)
    # comments are searchable with the task (the newest 200k characters of them)
    task.search_text = f"{task.search_text}\n{text}".lstrip("\n")[-SEARCH_TEXT_LIMIT:]
    await TaskRepository(session).add_watchers(task.id, [actor.user_id, *mentioned])
    record(
        session,
        TaskCommented(
            tenant_id=actor.tenant_id,
            actor=str(actor.user_id),
            task_id=task.id,
            comment_id=comment.id,
            mentioned=tuple(map(str, mentioned)),
        ),
    )
    return comment
