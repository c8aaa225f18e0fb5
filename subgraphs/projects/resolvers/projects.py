"""Mutations on projects, their workflow, labels, custom fields and boards."""

from __future__ import annotations

import strawberry

from subgraphs.projects import models
from subgraphs.projects.errors import (
    BoardNotFoundError,
    ColumnNotFoundError,
    InvalidInputError,
    ProjectNotFoundError,
    StateNotFoundError,
)
from subgraphs.projects.resolvers.common import payload, uid, uids, write
from subgraphs.projects.service import boards, projects
from subgraphs.projects.service.projects import ProjectChanges
from subgraphs.projects.types.boards import Board, BoardColumn
from subgraphs.projects.types.common import Ctx, Swimlane
from subgraphs.projects.types.inputs import (
    UNSET,
    AddColumnInput,
    CreateBoardInput,
    CreateCustomFieldInput,
    CreateProjectInput,
    CreateStateInput,
    UpdateColumnInput,
    UpdateProjectInput,
)
from subgraphs.projects.types.payloads import (
    BoardColumnPayload,
    BoardPayload,
    CustomFieldPayload,
    LabelPayload,
    ProjectPayload,
    WorkflowStatePayload,
)
from subgraphs.projects.types.tasks import CustomField, Label, Project, WorkflowState


def _given(value: object) -> bool:
    return value is not UNSET


@strawberry.type
class ProjectMutations:
    @strawberry.mutation
    async def create_project(self, info: Ctx, input: CreateProjectInput) -> ProjectPayload:
        result = await write(
            info,
            lambda actor, db: projects.create_project(
                actor,
                db,
                key=input.key,
                name=input.name,
                description=input.description,
                lead_id=uid(input.lead_id, InvalidInputError, "leadId") if input.lead_id else None,
                start_date=input.start_date,
                target_date=input.target_date,
                private=input.private,
            ),
        )
        return payload(ProjectPayload, "project", result, Project.of)

    @strawberry.mutation
    async def update_project(self, info: Ctx, input: UpdateProjectInput) -> ProjectPayload:
        def changes() -> ProjectChanges:
            lead = input.lead_id if _given(input.lead_id) else None
            return ProjectChanges(
                name=input.name if _given(input.name) else None,
                description=input.description if _given(input.description) else None,
                status=models.ProjectStatus(input.status.value)
                if _given(input.status) and input.status
                else None,
                lead_id=uid(lead, InvalidInputError, "leadId") if lead else None,
                clear_lead=_given(input.lead_id) and input.lead_id is None,
                start_date=input.start_date if _given(input.start_date) else None,
                target_date=input.target_date if _given(input.target_date) else None,
                clear_start_date=_given(input.start_date) and input.start_date is None,
                clear_target_date=_given(input.target_date) and input.target_date is None,
                private=input.private if _given(input.private) else None,
            )

        result = await write(
            info,
            lambda actor, db: projects.update_project(
                actor, db, uid(input.id, ProjectNotFoundError, "id"), changes()
            ),
        )
        return payload(ProjectPayload, "project", result, Project.of)

    @strawberry.mutation
    async def archive_project(
        self, info: Ctx, id: strawberry.ID, archived: bool = True
    ) -> ProjectPayload:
        result = await write(
            info,
            lambda actor, db: projects.set_archived(
                actor, db, uid(id, ProjectNotFoundError, "id"), archived
            ),
        )
        return payload(ProjectPayload, "project", result, Project.of)

    @strawberry.mutation
    async def add_project_member(
        self, info: Ctx, project_id: strawberry.ID, user_id: strawberry.ID
    ) -> ProjectPayload:
        result = await write(
            info,
            lambda actor, db: projects.add_member(
                actor,
                db,
                uid(project_id, ProjectNotFoundError, "projectId"),
                uid(user_id, InvalidInputError, "userId"),
            ),
        )
        return payload(ProjectPayload, "project", result, Project.of)

    @strawberry.mutation
    async def remove_project_member(
        self, info: Ctx, project_id: strawberry.ID, user_id: strawberry.ID
    ) -> ProjectPayload:
        result = await write(
            info,
            lambda actor, db: projects.remove_member(
                actor,
                db,
                uid(project_id, ProjectNotFoundError, "projectId"),
                uid(user_id, InvalidInputError, "userId"),
            ),
        )
        return payload(ProjectPayload, "project", result, Project.of)

    @strawberry.mutation
    async def create_label(
        self, info: Ctx, project_id: strawberry.ID, name: str, color: str | None = None
    ) -> LabelPayload:
        result = await write(
            info,
            lambda actor, db: projects.create_label(
                actor, db, uid(project_id, ProjectNotFoundError, "projectId"), name, color
            ),
        )
        return payload(LabelPayload, "label", result, Label.of)

    @strawberry.mutation
    async def create_workflow_state(
        self, info: Ctx, input: CreateStateInput
    ) -> WorkflowStatePayload:
        result = await write(
            info,
            lambda actor, db: projects.create_state(
                actor,
                db,
                uid(input.project_id, ProjectNotFoundError, "projectId"),
                input.name,
                models.StateCategory(input.category.value),
            ),
        )
        return payload(WorkflowStatePayload, "state", result, WorkflowState.of)

    @strawberry.mutation
    async def create_custom_field(
        self, info: Ctx, input: CreateCustomFieldInput
    ) -> CustomFieldPayload:
        project = input.project_id
        result = await write(
            info,
            lambda actor, db: projects.create_custom_field(
                actor,
                db,
                uid(project, ProjectNotFoundError, "projectId") if project else None,
                input.name,
                models.FieldType(input.type.value),
                input.options,
            ),
        )
        return payload(CustomFieldPayload, "field", result, CustomField.of)

    @strawberry.mutation
    async def create_board(self, info: Ctx, input: CreateBoardInput) -> BoardPayload:
        result = await write(
            info,
            lambda actor, db: boards.create_board(
                actor,
                db,
                uid(input.project_id, ProjectNotFoundError, "projectId"),
                input.name,
                models.Swimlane(input.swimlane.value),
            ),
        )
        return payload(BoardPayload, "board", result, Board.of)

    @strawberry.mutation
    async def set_board_swimlane(
        self, info: Ctx, board_id: strawberry.ID, swimlane: Swimlane
    ) -> BoardPayload:
        result = await write(
            info,
            lambda actor, db: boards.update_board(
                actor,
                db,
                uid(board_id, BoardNotFoundError, "boardId"),
                None,
                models.Swimlane(swimlane.value),
            ),
        )
        return payload(BoardPayload, "board", result, Board.of)

    @strawberry.mutation
    async def add_board_column(self, info: Ctx, input: AddColumnInput) -> BoardColumnPayload:
        result = await write(
            info,
            lambda actor, db: boards.add_column(
                actor,
                db,
                uid(input.board_id, BoardNotFoundError, "boardId"),
                input.name,
                uids(input.state_ids, StateNotFoundError, "stateIds"),
                input.wip_limit,
            ),
        )
        return payload(BoardColumnPayload, "column", result, _column)

    @strawberry.mutation
    async def update_board_column(self, info: Ctx, input: UpdateColumnInput) -> BoardColumnPayload:
        states = input.state_ids if _given(input.state_ids) else None
        result = await write(
            info,
            lambda actor, db: boards.update_column(
                actor,
                db,
                uid(input.id, ColumnNotFoundError, "id"),
                name=input.name if _given(input.name) else None,
                wip_limit=input.wip_limit if _given(input.wip_limit) else None,
                clear_wip_limit=_given(input.wip_limit) and input.wip_limit is None,
                state_ids=uids(states, StateNotFoundError, "stateIds")
                if states is not None
                else None,
            ),
        )
        return payload(BoardColumnPayload, "column", result, _column)


def _column(column: models.BoardColumn) -> BoardColumn:
    return BoardColumn(
        id=strawberry.ID(str(column.id)),
        name=column.name,
        position=column.position,
        wip_limit=column.wip_limit,
        card_count=0,
        cards=[],
        state_ids=(),
    )
