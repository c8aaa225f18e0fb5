"""All SQL of the chat subgraph, one repository per aggregate."""

from subgraphs.chat.repository.config import ConfigRepository
from subgraphs.chat.repository.conversations import ConversationFilter, ConversationsRepository
from subgraphs.chat.repository.messages import MessagesRepository
from subgraphs.chat.repository.routing import RoutingRepository

__all__ = [
    "ConfigRepository",
    "ConversationFilter",
    "ConversationsRepository",
    "MessagesRepository",
    "RoutingRepository",
]
