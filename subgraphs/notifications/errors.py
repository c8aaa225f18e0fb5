"""Errors of the notifications subgraph.

DomainError (kit)
├── InvalidNotificationInputError   malformed input (ids, email, handle, both ids and all)
├── HandleTakenError                another user of the tenant uses this @handle
└── PushEndpointNotAllowedError     a push endpoint that is not a public https(s) URL
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class NotificationsErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    HANDLE_TAKEN = "HANDLE_TAKEN"
    PUSH_ENDPOINT_NOT_ALLOWED = "PUSH_ENDPOINT_NOT_ALLOWED"


class InvalidNotificationInputError(DomainError):
    code = NotificationsErrorCode.INVALID_INPUT
    message = "Invalid input: {reason}."


class HandleTakenError(DomainError):
    code = NotificationsErrorCode.HANDLE_TAKEN
    message = "The handle @{handle} is already used."


class PushEndpointNotAllowedError(DomainError):
    code = NotificationsErrorCode.PUSH_ENDPOINT_NOT_ALLOWED
    message = "Push endpoint not allowed: {reason}."
