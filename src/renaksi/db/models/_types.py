"""Column type helpers shared by the model modules."""

from enum import StrEnum

import sqlalchemy as sa


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
