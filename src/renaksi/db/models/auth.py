"""Accounts, browser sessions, API tokens, login attempts and period locks."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from renaksi.codes import LockKind, Role
from renaksi.db.base import Base, Timestamped, utcnow
from renaksi.db.models._types import NO_REUSED_IDS, enum_column


class User(Timestamped, Base):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint("role <> 'perencana' OR unit_id IS NOT NULL", name="planner_unit"),
        NO_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: the unit a perencana (planner) works for; null for the other roles
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)

    __mapper_args__ = {"version_id_col": Timestamped.version}


class UserSession(Base):
    """A browser session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiToken(Base):
    """A personal API token for scripts (``Authorization: Bearer …``); stored hashed."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Failed logins, for throttling (per username and per client address)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), index=True)
    client: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PeriodLock(Base):
    """A closed period: progress of a quarter, or usulan of a year, no longer editable."""

    __tablename__ = "period_lock"
    __table_args__ = (sa.UniqueConstraint("kind", "year", "quarter"), NO_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LockKind] = mapped_column(enum_column(LockKind, 12))
    year: Mapped[int]
    #: 1–4 for PROGRESS locks; 0 for USULAN (a whole year)
    quarter: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str] = mapped_column(sa.String(60))
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
