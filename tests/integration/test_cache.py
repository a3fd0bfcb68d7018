"""Cached flags, KPIs and action pages (``renaksi.db.revision``): a change made through any
process is seen by every other process at its next request; a rejected change leaves the
cache alone; the cache can be switched off. Two engines on one database stand for two server
processes."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth import service as auth
from renaksi.auth.actor import Actor
from renaksi.budget import service as budget
from renaksi.budget.schemas import BudgetLineCreate
from renaksi.codes import Role, Source, Stage
from renaksi.db import revision
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.db.models import Action, ApiToken, User
from renaksi.errors import RenaksiError
from renaksi.plan import service as plan
from renaksi.plan.schemas import ActionUpdate
from renaksi.settings import Settings

ADMIN = Actor.system("uji")
YEAR = 2025
AS_OF = date(2025, 12, 31)


@pytest.fixture
def other_process(settings: Settings) -> Iterator[Session]:
    """A session of a second engine on the same database, like another server process."""
    engine = create_db_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def flags_of(session: Session, code: str) -> list[str]:
    session.rollback()  # each call is a new request: a new transaction
    rows = budget.list_flags(session, year=YEAR, as_of=AS_OF, actor=ADMIN)
    return next([f.value for f in r.flags] for r in rows if r.action_code == code)


def belum_usulan_action(session: Session) -> tuple[int, str]:
    rows = budget.list_flags(session, year=YEAR, as_of=AS_OF, actor=ADMIN)
    code = next(r.action_code for r in rows if "BELUM_USULAN" in [f.value for f in r.flags])
    action_id = session.scalar(sa.select(Action.id).where(Action.code == code))
    assert action_id is not None
    return action_id, code


def add_usulan(session: Session, action_id: int, source: Source = Source.PAD) -> None:
    budget.create_line(
        session,
        BudgetLineCreate(
            action_id=action_id, year=YEAR, stage=Stage.USULAN, source=source, amount=5_000_000
        ),
        actor=ADMIN,
    )


def test_a_change_in_one_process_is_seen_by_the_other_at_once(
    demo_loaded: Session, other_process: Session
) -> None:
    action_id, code = belum_usulan_action(demo_loaded)
    assert "BELUM_USULAN" in flags_of(demo_loaded, code)  # computed and cached here
    assert "BELUM_USULAN" in flags_of(demo_loaded, code)  # served from the cache

    add_usulan(other_process, action_id)
    assert "BELUM_USULAN" not in flags_of(demo_loaded, code)

    page = plan.list_actions(demo_loaded, actor=ADMIN, search=code)
    action = page.items[0]
    plan.update_action(
        other_process,
        action.id,
        ActionUpdate(title="Judul baru dari proses lain"),
        actor=ADMIN,
        expected_version=action.version,
    )
    demo_loaded.rollback()
    assert plan.list_actions(demo_loaded, actor=ADMIN, search=code).items[0].title == (
        "Judul baru dari proses lain"
    )


def test_a_rejected_change_keeps_the_token_and_a_write_replaces_it(demo_loaded: Session) -> None:
    action_id, _ = belum_usulan_action(demo_loaded)
    demo_loaded.rollback()
    before = revision.current(demo_loaded)
    assert before is not None
    demo_loaded.rollback()
    with pytest.raises(RenaksiError):
        budget.create_line(
            demo_loaded,
            BudgetLineCreate(
                action_id=action_id, year=YEAR, stage=Stage.USULAN, source=Source.PAD, amount=1
            ),
            actor=Actor(username="tamu", role=Role.BAPPEDA, via="token"),  # no USULAN
        )
    assert revision.current(demo_loaded) == before
    demo_loaded.rollback()
    add_usulan(demo_loaded, action_id)
    assert revision.current(demo_loaded) not in (before, None)


def test_hand_written_sql_waits_for_expiry_unless_caching_is_off(
    demo_loaded: Session, settings: Settings
) -> None:
    """What a change behind renaksi's back looks like: the cached answer stays until it
    expires (RENAKSI_CACHE_SECONDS); with 0 every request computes afresh."""
    action_id, code = belum_usulan_action(demo_loaded)
    cached_engine = create_db_engine(settings.database_url)
    fresh_engine = create_db_engine(settings.database_url)
    revision.configure(fresh_engine, seconds=0)
    try:
        with (
            make_session_factory(cached_engine)() as cached,
            make_session_factory(fresh_engine)() as fresh,
        ):
            assert "BELUM_USULAN" in flags_of(cached, code)
            with fresh_engine.begin() as conn:  # a line inserted by hand, token untouched
                unit_id = conn.execute(
                    sa.select(Action.lead_unit_id).where(Action.id == action_id)
                ).scalar_one()
                conn.execute(
                    sa.text(
                        "INSERT INTO budget_line (action_id, year, stage, source, unit_id, amount,"
                        " created_at, updated_at, version) VALUES (:a, :y, 'USULAN', 'PAD', :u,"
                        " 1000, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                    ),
                    {"a": action_id, "y": YEAR, "u": unit_id},
                )
            assert "BELUM_USULAN" in flags_of(cached, code)
            assert "BELUM_USULAN" not in flags_of(fresh, code)
    finally:
        cached_engine.dispose()
        fresh_engine.dispose()


def test_a_token_revoked_or_a_user_disabled_elsewhere_stops_working_at_once(
    client_as: Any, other_process: Session
) -> None:
    """API tokens are looked up through the cache too: a script that keeps calling must be
    cut off by the next request after an admin acts on another server process."""
    reader = client_as("bappeda", username="skrip-bappeda")
    assert reader.get("/api/v1/units").status_code == 200
    assert reader.get("/api/v1/units").status_code == 200  # now from the cache
    auth.set_active(other_process, "skrip-bappeda", False, actor=Actor.system())
    assert reader.get("/api/v1/units").status_code == 401

    script = client_as("koordinator", username="skrip-koordinator")
    assert script.get("/api/v1/units").status_code == 200
    assert script.get("/api/v1/units").status_code == 200
    token_id = other_process.scalar(
        sa.select(ApiToken.id).join(User).where(User.username == "skrip-koordinator")
    )
    assert token_id is not None
    other_process.rollback()
    auth.revoke_token(other_process, ADMIN, token_id)
    assert script.get("/api/v1/units").status_code == 401


def test_a_token_taken_from_the_request_start_is_forgotten_after_a_write_or_transaction(
    demo_loaded: Session, other_process: Session
) -> None:
    """The identity middleware hands the request's session the token it read; a write in the
    request, or the end of the request's transaction, makes the session read it again."""
    action_id, code = belum_usulan_action(demo_loaded)
    demo_loaded.rollback()
    start = revision.current(demo_loaded)
    demo_loaded.rollback()
    demo_loaded.info[revision.KNOWN] = start  # as provide_session does
    add_usulan(demo_loaded, action_id)  # a write in the same request …
    assert revision.current(demo_loaded) != start  # … is seen by the next cached read
    assert "BELUM_USULAN" not in flags_of(demo_loaded, code)

    demo_loaded.rollback()
    mine = revision.current(demo_loaded)
    add_usulan(other_process, action_id, Source.DAU)  # a write elsewhere, then a new transaction
    demo_loaded.rollback()
    assert revision.current(demo_loaded) not in (mine, None)
