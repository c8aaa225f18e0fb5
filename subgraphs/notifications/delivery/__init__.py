"""Outbound delivery of notifications: realtime, SMTP email, Web Push, and the dispatcher."""

from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.delivery.dispatcher import Dispatcher, DispatchStats
from subgraphs.notifications.delivery.email import SmtpSender
from subgraphs.notifications.delivery.push import PushOutcome, PushSender

__all__ = [
    "DeliveryConfig",
    "DispatchStats",
    "Dispatcher",
    "PushOutcome",
    "PushSender",
    "SmtpSender",
]
