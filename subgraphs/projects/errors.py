"""Errors of the projects subgraph.

DomainError (subgraphs.kit.errors)
├── ProjectNotFoundError        PROJECT_NOT_FOUND
├── ProjectKeyTakenError        PROJECT_KEY_TAKEN
├── ProjectArchivedError        PROJECT_ARCHIVED
├── TaskNotFoundError           TASK_NOT_FOUND
├── StateNotFoundError          STATE_NOT_FOUND
├── LabelNotFoundError          LABEL_NOT_FOUND
├── BoardNotFoundError          BOARD_NOT_FOUND
├── ColumnNotFoundError         COLUMN_NOT_FOUND
├── CycleNotFoundError          CYCLE_NOT_FOUND
├── FieldNotFoundError          FIELD_NOT_FOUND
├── ViewNotFoundError           VIEW_NOT_FOUND
├── WorklogNotFoundError        WORKLOG_NOT_FOUND
├── InvalidInputError           INVALID_INPUT
├── WipLimitExceededError       WIP_LIMIT_EXCEEDED
├── DependencyCycleError        DEPENDENCY_CYCLE
├── ParentCycleError            PARENT_CYCLE
├── TimerRunningError           TIMER_ALREADY_RUNNING
└── NoTimerError                NO_RUNNING_TIMER
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class ProjectsErrorCode(StrEnum):
    PROJECT_NOT_FOUND = "PROJECT_NOT_FOUND"
    PROJECT_KEY_TAKEN = "PROJECT_KEY_TAKEN"
    PROJECT_ARCHIVED = "PROJECT_ARCHIVED"
    TASK_NOT_FOUND = "TASK_NOT_FOUND"
    STATE_NOT_FOUND = "STATE_NOT_FOUND"
    LABEL_NOT_FOUND = "LABEL_NOT_FOUND"
    BOARD_NOT_FOUND = "BOARD_NOT_FOUND"
    COLUMN_NOT_FOUND = "COLUMN_NOT_FOUND"
    CYCLE_NOT_FOUND = "CYCLE_NOT_FOUND"
    FIELD_NOT_FOUND = "FIELD_NOT_FOUND"
    VIEW_NOT_FOUND = "VIEW_NOT_FOUND"
    WORKLOG_NOT_FOUND = "WORKLOG_NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    WIP_LIMIT_EXCEEDED = "WIP_LIMIT_EXCEEDED"
    DEPENDENCY_CYCLE = "DEPENDENCY_CYCLE"
    PARENT_CYCLE = "PARENT_CYCLE"
    TIMER_ALREADY_RUNNING = "TIMER_ALREADY_RUNNING"
    NO_RUNNING_TIMER = "NO_RUNNING_TIMER"


class ProjectNotFoundError(DomainError):
    code = ProjectsErrorCode.PROJECT_NOT_FOUND
    message = "Project not found."


class ProjectKeyTakenError(DomainError):
    code = ProjectsErrorCode.PROJECT_KEY_TAKEN
    message = "The project key {key} is already used."


class ProjectArchivedError(DomainError):
    code = ProjectsErrorCode.PROJECT_ARCHIVED
    message = "The project is archived."


class TaskNotFoundError(DomainError):
    code = ProjectsErrorCode.TASK_NOT_FOUND
    message = "Task not found."


class StateNotFoundError(DomainError):
    code = ProjectsErrorCode.STATE_NOT_FOUND
    message = "Workflow state not found in this project."


class LabelNotFoundError(DomainError):
    code = ProjectsErrorCode.LABEL_NOT_FOUND
    message = "Label not found in this project."


class BoardNotFoundError(DomainError):
    code = ProjectsErrorCode.BOARD_NOT_FOUND
    message = "Board not found."


class ColumnNotFoundError(DomainError):
    code = ProjectsErrorCode.COLUMN_NOT_FOUND
    message = "Column not found on this board."


class CycleNotFoundError(DomainError):
    code = ProjectsErrorCode.CYCLE_NOT_FOUND
    message = "Cycle not found in this project."


class FieldNotFoundError(DomainError):
    code = ProjectsErrorCode.FIELD_NOT_FOUND
    message = "Custom field not found for this project."


class ViewNotFoundError(DomainError):
    code = ProjectsErrorCode.VIEW_NOT_FOUND
    message = "Saved view not found."


class WorklogNotFoundError(DomainError):
    code = ProjectsErrorCode.WORKLOG_NOT_FOUND
    message = "Worklog not found."


class InvalidInputError(DomainError):
    code = ProjectsErrorCode.INVALID_INPUT
    message = "Invalid {what}: {reason}."


class WipLimitExceededError(DomainError):
    code = ProjectsErrorCode.WIP_LIMIT_EXCEEDED
    message = "Column {column} is at its WIP limit of {limit}."


class DependencyCycleError(DomainError):
    code = ProjectsErrorCode.DEPENDENCY_CYCLE
    message = "This link would make a cycle of blocking tasks."


class ParentCycleError(DomainError):
    code = ProjectsErrorCode.PARENT_CYCLE
    message = "A task cannot be a sub-task of itself or of its own sub-tasks."


class TimerRunningError(DomainError):
    code = ProjectsErrorCode.TIMER_ALREADY_RUNNING
    message = "A timer is already running; stop it first."


class NoTimerError(DomainError):
    code = ProjectsErrorCode.NO_RUNNING_TIMER
    message = "No timer is running."
