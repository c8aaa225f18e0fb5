"""All SQL of the projects subgraph, one module per aggregate."""
