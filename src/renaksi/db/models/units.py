"""Perangkat Daerah (units) and the aliases under which LAPOR! exports name them."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renaksi.codes import UnitKind
from renaksi.db.base import Base, Timestamped
from renaksi.db.models._types import NO_REUSED_IDS, enum_column


def normalise_name(text: str) -> str:
    """Key used to match unit names and aliases: case- and space-insensitive."""
    return " ".join(text.split()).lower()


class Unit(Timestamped, Base):
    __tablename__ = "unit"
    __table_args__ = NO_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    aliases: Mapped[list["UnitAlias"]] = relationship(
        back_populates="unit",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="UnitAlias.alias",
    )


class UnitAlias(Base):
    __tablename__ = "unit_alias"
    __table_args__ = NO_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(sa.String(200))
    #: normalised alias, unique across all units so a name maps to exactly one unit
    alias_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    unit: Mapped[Unit] = relationship(back_populates="aliases", lazy="raise")
