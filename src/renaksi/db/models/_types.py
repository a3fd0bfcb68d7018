"""Column type helpers and table options shared by the model modules."""

from enum import StrEnum
from typing import Any

import sqlalchemy as sa

#: table option of the audited tables with an integer id: the audit trail is filed by entity
#: and id, and without AUTOINCREMENT SQLite gives the id of a deleted last row to the next new
#: row, so one id's history would tell of two records (PostgreSQL sequences never reuse ids)
NO_REUSED_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


def enum_column(enum: type[StrEnum], length: int = 20) -> sa.Enum:
    """Enums stored as their value in a VARCHAR with a CHECK constraint (portable, readable)."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        name=enum.__name__.lower(),
    )
