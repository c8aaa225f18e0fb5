"""Full-text search conditions shared by subgraphs: PostgreSQL `tsvector` columns queried
with `websearch_to_tsquery`, SQLite FTS5 tables queried with quoted terms.

A subgraph keeps its own index (a generated `tsvector` column with a GIN index; an FTS5 table
whose first column is the row's id) and builds its conditions with these helpers, so user text
never reaches either query language as operators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Subquery, func, literal_column, text

__all__ = ["fts5_matches", "fts5_query", "tsquery", "tsvector_match", "tsvector_rank"]

CONFIG = "simple"  # no stemming, no stop words: identifiers and names match as typed


def fts5_query(raw: str) -> str:
    """User text -> an FTS5 query of quoted terms, all required (no operator injection)."""
    terms = [t.replace('"', '""') for t in raw.split() if t.strip()]
    return " ".join(f'"{t}"' for t in terms) or '""'


def tsquery(raw: str) -> Any:
    return func.websearch_to_tsquery(CONFIG, raw)


def tsvector_match(vector_column: str, raw: str) -> ColumnElement[bool]:
    """`<table>.<column> @@ websearch_to_tsquery(...)` (web-search syntax: quotes, or, -)."""
    vector: Any = literal_column(vector_column)
    matched: ColumnElement[bool] = vector.op("@@")(tsquery(raw))
    return matched


def tsvector_rank(vector_column: str, raw: str, normalization: int = 1) -> ColumnElement[float]:
    """`ts_rank` of the row (higher is better); normalization 1 divides by 1 + log(length),
    so a word in a short text ranks above the same word in a long one."""
    rank: ColumnElement[float] = func.ts_rank(
        literal_column(vector_column), tsquery(raw), normalization
    )
    return rank


def fts5_matches(
    table: str, key_column: str, key_type: Any, raw: str, weights: tuple[float, ...] = ()
) -> Subquery:
    """`(key, score)` of the rows of the FTS5 table `table` matching `raw`: `key` is
    `key_column` (typed `key_type`, to join on), `score` is `bm25` (lower is better) with
    optional per-column weights (in the table's column order)."""
    bm25 = f"bm25({table}{''.join(f', {float(w)}' for w in weights)})"
    statement = text(
        f"SELECT {key_column} AS key, {bm25} AS score FROM {table} WHERE {table} MATCH :fts"
    ).bindparams(fts=fts5_query(raw))
    return statement.columns(key=key_type, score=Float()).subquery(f"{table}_matches")
