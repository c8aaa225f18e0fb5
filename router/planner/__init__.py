"""The query planner: (supergraph, operation) -> `QueryPlan`, pure and deterministic.

Phases: `operation` (pick the operation, collect fields, `@skip`/`@include` branches),
`traversal` + `entities` (place each field in a fetch group of some subgraph, jumping through
entity keys), `schedule` (merge groups, order them into Sequence/Parallel), `fetches` (group
-> `Fetch` with its GraphQL text). `printer.print_plan` renders a plan as text.
"""

from router.planner.errors import PlanningError
from router.planner.plan import build_plan
from router.planner.printer import print_plan

__all__ = ["PlanningError", "build_plan", "print_plan"]
