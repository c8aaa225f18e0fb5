"""Full-text search conditions shared by subgraphs: PostgreSQL `tsvector` columns queried
with `websearch_to_tsquery`, SQLite FTS5 tables queried with quoted terms.

A subgraph keeps its own index (a generated `tsvector` column with a GIN index; an FTS5 table
whose first column is the row's id) and builds its conditions with these helpers, so user text
never reaches either query language as operators.

Prefixes (search-as-you-type): a word ending with `*` matches every word starting with it
(`sea*` finds "search"). FTS5 gets the quoted term followed by `*`; PostgreSQL gets a
`to_tsquery` of the term's letters and digits only (`'sea':*`, so no tsquery syntax is
injected) AND-ed with the `websearch_to_tsquery` of the rest; a leading `-` excludes the
prefix there. Inside a quoted phrase `*` stays an ordinary character. A subgraph that matches
exact words only passes `prefixes=False` (then `*` is an ordinary character everywhere)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Float, Subquery, func, literal_column, text

__all__ = [
    "fts5_matches",
    "fts5_query",
    "split_prefixes",
    "tsquery",
    "tsvector_match",
    "tsvector_rank",
]

CONFIG = "simple"  # no stemming, no stop words: identifiers and names match as typed
_WORD = re.compile(r"[^\W_]+")  # letters and digits: never tsquery syntax


def fts5_query(raw: str, *, prefixes: bool = True) -> str:
    """User text -> an FTS5 query of quoted terms, all required (no operator injection);
    a term ending with `*` (and holding a letter or digit) is a prefix unless `prefixes` is off."""
    terms = []
    for term in raw.split():
        prefix = prefixes and term.endswith("*") and _WORD.search(term) is not None
        quoted = '"' + (term.rstrip("*") if prefix else term).replace('"', '""') + '"'
        terms.append(quoted + ("*" if prefix else ""))
    return " ".join(terms) or '""'


def split_prefixes(raw: str) -> tuple[str, str]:
    """`raw` -> (the text for `websearch_to_tsquery` without its prefix terms, a `to_tsquery`
    text of the prefix terms, "" if none). Prefix terms are the words ending with `*` outside
    quotes; each keeps its letters and digits only: `ops-14*` -> `'ops' & '14':*`."""
    parts = raw.split('"')
    rest: list[str] = []
    prefixes: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:  # inside a quoted phrase (an unbalanced quote runs to the end)
            rest.append(part)
            continue
        kept = []
        for token in part.split():
            words = _WORD.findall(token) if token.endswith("*") else []
            if not words:
                kept.append(token)
                continue
            lexemes = " & ".join(f"'{w}'" for w in words) + ":*"
            prefixes.append(f"!({lexemes})" if token.startswith("-") else lexemes)
        rest.append(" " + " ".join(kept) + " ")
    return '"'.join(rest), " & ".join(prefixes)


def tsquery(raw: str, *, prefixes: bool = True) -> Any:
    """`websearch_to_tsquery` of `raw`, AND-ed with a `to_tsquery` of its prefix terms
    (`prefixes=False`: the plain `websearch_to_tsquery`)."""
    if not prefixes:
        return func.websearch_to_tsquery(CONFIG, raw)
    text_part, prefix_part = split_prefixes(raw)
    if not prefix_part:
        return func.websearch_to_tsquery(CONFIG, raw)
    prefixed = func.to_tsquery(CONFIG, prefix_part)
    if _WORD.search(text_part) is None:
        return prefixed
    return func.websearch_to_tsquery(CONFIG, text_part).op("&&")(prefixed)


def tsvector_match(vector_column: str, raw: str, *, prefixes: bool = True) -> ColumnElement[bool]:
    """`<table>.<column> @@ websearch_to_tsquery(...)` (web-search syntax: quotes, or, -)."""
    vector: Any = literal_column(vector_column)
    matched: ColumnElement[bool] = vector.op("@@")(tsquery(raw, prefixes=prefixes))
    return matched


def tsvector_rank(
    vector_column: str, raw: str, normalization: int = 1, *, prefixes: bool = True
) -> ColumnElement[float]:
    """`ts_rank` of the row (higher is better); normalization 1 divides by 1 + log(length),
    so a word in a short text ranks above the same word in a long one."""
    rank: ColumnElement[float] = func.ts_rank(
        literal_column(vector_column), tsquery(raw, prefixes=prefixes), normalization
    )
    return rank


def fts5_matches(
    table: str,
    key_column: str,
    key_type: Any,
    raw: str,
    weights: tuple[float, ...] = (),
    *,
    prefixes: bool = True,
) -> Subquery:
    """`(key, score)` of the rows of the FTS5 table `table` matching `raw`: `key` is
    `key_column` (typed `key_type`, to join on), `score` is `bm25` (lower is better) with
    optional per-column weights (in the table's column order)."""
    bm25 = f"bm25({table}{''.join(f', {float(w)}' for w in weights)})"
    statement = text(
        f"SELECT {key_column} AS key, {bm25} AS score FROM {table} WHERE {table} MATCH :fts"
    ).bindparams(fts=fts5_query(raw, prefixes=prefixes))
    return statement.columns(key=key_type, score=Float()).subquery(f"{table}_matches")
