"""GraphQL shape of the projects subgraph (types, inputs, payloads); no logic beyond
mapping models and loading related rows through loaders."""
