"""Use cases of the tickets subgraph, split by concern (tickets, conversation, assignment,
SLA, configuration, productivity, queries). Services never import strawberry or starlette."""
