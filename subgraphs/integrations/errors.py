"""Errors of the integrations subgraph.

DomainError (kit)
├── EndpointNotFoundError   no webhook endpoint with that id in this tenant
├── DeliveryNotFoundError   no webhook delivery with that id in this tenant
├── UrlNotAllowedError      (kit.net) not http(s), or resolves to a private/loopback address
├── UnknownEventTypeError   an event-type filter names no registered event type
├── EndpointDisabledError   redelivery to a disabled endpoint
└── InvalidGracePeriodError a secret grace period outside 0 .. 7 days
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError
from subgraphs.kit.net import UrlNotAllowedError

__all__ = [
    "DeliveryNotFoundError",
    "EndpointDisabledError",
    "EndpointNotFoundError",
    "IntegrationsErrorCode",
    "InvalidGracePeriodError",
    "UnknownEventTypeError",
    "UrlNotAllowedError",
]


class IntegrationsErrorCode(StrEnum):
    ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
    DELIVERY_NOT_FOUND = "DELIVERY_NOT_FOUND"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    ENDPOINT_DISABLED = "ENDPOINT_DISABLED"
    INVALID_GRACE_PERIOD = "INVALID_GRACE_PERIOD"


class EndpointNotFoundError(DomainError):
    code = IntegrationsErrorCode.ENDPOINT_NOT_FOUND
    message = "Webhook endpoint {id} does not exist."


class DeliveryNotFoundError(DomainError):
    code = IntegrationsErrorCode.DELIVERY_NOT_FOUND
    message = "Webhook delivery {id} does not exist."


class UnknownEventTypeError(DomainError):
    code = IntegrationsErrorCode.UNKNOWN_EVENT_TYPE
    message = "Unknown event type {event_type}."


class EndpointDisabledError(DomainError):
    code = IntegrationsErrorCode.ENDPOINT_DISABLED
    message = "Webhook endpoint {id} is disabled; enable it first."


class InvalidGracePeriodError(DomainError):
    code = IntegrationsErrorCode.INVALID_GRACE_PERIOD
    message = "The grace period must be between 0 and {max} seconds."
