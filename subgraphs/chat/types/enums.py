"""GraphQL enums of the chat subgraph (names prefixed: one supergraph)."""

from __future__ import annotations

import strawberry

from subgraphs.chat import models

ConversationStatus = strawberry.enum(models.ConversationStatus, name="ConversationStatus")
ConversationPriority = strawberry.enum(models.ConversationPriority, name="ConversationPriority")
ChatChannel = strawberry.enum(models.Channel, name="ChatChannel")
ChatRoutingStrategy = strawberry.enum(models.RoutingStrategy, name="ChatRoutingStrategy")
ChatMessageKind = strawberry.enum(models.MessageKind, name="ChatMessageKind")
ChatAuthorKind = strawberry.enum(models.AuthorKind, name="ChatAuthorKind")
AgentPresenceStatus = strawberry.enum(models.PresenceStatus, name="AgentPresenceStatus")
ChatTicketLinkState = strawberry.enum(models.TicketLinkState, name="ChatTicketLinkState")
