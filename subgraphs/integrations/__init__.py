"""The integrations subgraph: webhook endpoints and deliveries, background job status."""
