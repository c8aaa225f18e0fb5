"""Shared helpers for subgraph SQLAlchemy models: constraint naming and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["NAMING", "aware", "utcnow"]

# constraint names every subgraph's metadata uses (their migrations rely on these names)
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
