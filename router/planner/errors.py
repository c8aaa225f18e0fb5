"""Planning errors."""

from __future__ import annotations


class PlanningError(Exception):
    """An operation this planner cannot plan.

    Codes: `UNSATISFIABLE_SELECTION` (no subgraph, or no key path, can resolve a field),
    `UNKNOWN_OPERATION` (no such operation in the document, or several and no name given),
    `UNSUPPORTED_OPERATION` (e.g. subscriptions), `UNKNOWN_FIELD` (a field the supergraph does
    not define; the pipeline validates first, so this signals a mismatched schema),
    `INTERNAL_PLANNING_ERROR` (a planner bug; the message says where).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"
