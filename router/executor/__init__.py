"""Executor: QueryPlan + variables -> response, over a `SubgraphClient`."""

from router.executor.context import ExecutionContext
from router.executor.execute import execute_plan
from router.executor.shape import OperationShape, compile_operation

__all__ = ["ExecutionContext", "OperationShape", "compile_operation", "execute_plan"]
