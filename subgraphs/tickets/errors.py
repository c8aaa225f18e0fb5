"""Errors of the tickets subgraph.

    DomainError (subgraphs.kit.errors)
    └── TicketsError
        ├── TicketNotFoundError        unknown id, another tenant's id, or not visible to caller
        ├── InvalidInputError          a malformed or out-of-range input value
        ├── UnknownReferenceError      a status, priority, group, field, policy ... that is not
        ├── InvalidTransitionError     the status change is not allowed from the current one
        ├── InvalidFieldValueError     a custom field value of the wrong type or option
        ├── NoAgentAvailableError      auto-assignment found nobody below capacity
        ├── TicketClosedError          a closed or merged ticket cannot change
        ├── InvalidMergeError          merging a ticket into itself or a closed ticket
        └── CsatNotRequestedError      rating a ticket that is not solved, or by a non-requester

A ticket of another tenant is never distinguishable from a random id: both raise
TicketNotFoundError (the database is another one anyway).
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class TicketsErrorCode(StrEnum):
    TICKET_NOT_FOUND = "TICKET_NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    INVALID_FIELD_VALUE = "INVALID_FIELD_VALUE"
    NO_AGENT_AVAILABLE = "NO_AGENT_AVAILABLE"
    TICKET_CLOSED = "TICKET_CLOSED"
    INVALID_MERGE = "INVALID_MERGE"
    CSAT_NOT_REQUESTED = "CSAT_NOT_REQUESTED"


class TicketsError(DomainError):
    code = TicketsErrorCode.INVALID_INPUT


class TicketNotFoundError(TicketsError):
    code = TicketsErrorCode.TICKET_NOT_FOUND
    message = "Ticket not found."


class InvalidInputError(TicketsError):
    code = TicketsErrorCode.INVALID_INPUT
    message = "Invalid value: {reason}"


class UnknownReferenceError(TicketsError):
    code = TicketsErrorCode.UNKNOWN_REFERENCE
    message = "Unknown {kind}: {value}"


class InvalidTransitionError(TicketsError):
    code = TicketsErrorCode.INVALID_TRANSITION
    message = "A ticket cannot go from {source} to {target}."


class InvalidFieldValueError(TicketsError):
    code = TicketsErrorCode.INVALID_FIELD_VALUE
    message = "Custom field {key}: {reason}"


class NoAgentAvailableError(TicketsError):
    code = TicketsErrorCode.NO_AGENT_AVAILABLE
    message = "No agent of the group is below capacity."


class TicketClosedError(TicketsError):
    code = TicketsErrorCode.TICKET_CLOSED
    message = "Ticket #{number} is closed."


class InvalidMergeError(TicketsError):
    code = TicketsErrorCode.INVALID_MERGE
    message = "Cannot merge: {reason}"


class CsatNotRequestedError(TicketsError):
    code = TicketsErrorCode.CSAT_NOT_REQUESTED
    message = "This ticket does not accept a satisfaction rating."
