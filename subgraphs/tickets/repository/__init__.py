"""All SQL of the tickets subgraph, one module per aggregate."""

from subgraphs.tickets.repository.automations import AutomationRepository
from subgraphs.tickets.repository.config import ConfigRepository
from subgraphs.tickets.repository.conversation import ConversationRepository
from subgraphs.tickets.repository.sla import SlaRepository
from subgraphs.tickets.repository.tickets import TicketRepository

__all__ = [
    "AutomationRepository",
    "ConfigRepository",
    "ConversationRepository",
    "SlaRepository",
    "TicketRepository",
]
