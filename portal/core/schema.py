"""Tables the migrations create that the ORM models do not describe."""

from __future__ import annotations

# search_entry exists only on PostgreSQL (tsvector columns); portal.search owns it.
UNMANAGED_TABLES = frozenset({"search_entry"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate filter: leave the unmanaged tables (and their indexes) alone."""
    if type_ == "table" and name in UNMANAGED_TABLES:
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and table.name in UNMANAGED_TABLES)
