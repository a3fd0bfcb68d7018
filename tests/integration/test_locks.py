"""Period locks: only finished quarters, and a lock never slips past a write in progress."""

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.codes import LockKind
from renaksi.db.engine import make_session_factory, write_transaction
from renaksi.lapor.service import today_wita
from renaksi.locks import service as locks
from tests.integration.shapes import assert_error

Client = TestClient  # type: ignore[type-arg]


def test_a_quarter_not_yet_over_cannot_be_locked(client: Client, demo: sa.Engine) -> None:
    today = today_wita()
    quarter = (today.month - 1) // 3 + 1
    body = assert_error(
        client.post(
            "/api/v1/locks", json={"kind": "PROGRESS", "year": today.year, "quarter": quarter}
        ),
        422,
    )
    assert "belum selesai" in body["detail"]
    assert body["errors"][0]["field"] == "quarter"
    assert client.get("/api/v1/locks").json() == []
    finished = client.post(
        "/api/v1/locks", json={"kind": "PROGRESS", "year": today.year - 1, "quarter": 4}
    )
    assert finished.status_code == 201, finished.text


def test_locking_waits_for_a_write_that_found_the_period_open(
    engine: sa.Engine, demo: sa.Engine, session: Session
) -> None:
    """PostgreSQL: a writer that checked "open" holds the period until it commits, so the lock
    cannot be taken in between (on SQLite one transaction writes at a time anyway)."""
    writer = make_session_factory(engine)()
    try:
        with write_transaction(writer):
            locks.ensure_open(writer, LockKind.USULAN, 2024)
            if engine.dialect.name == "postgresql":
                with make_session_factory(engine)() as locker:
                    locker.execute(sa.text("SET lock_timeout = '300ms'"))
                    locker.commit()  # a rolled-back SET would be undone
                    try:
                        locks.lock(locker, Actor.system(), locks.LockCreate(LockKind.USULAN, 2024))
                    except OperationalError as exc:
                        assert "lock timeout" in str(exc)
                    else:
                        raise AssertionError("the lock was taken while a write was open")
    finally:
        writer.close()
    # the write is over: now the period locks, and the next write is refused
    locks.lock(session, Actor.system(), locks.LockCreate(LockKind.USULAN, 2024))
    assert [lock.year for lock in locks.list_locks(session)] == [2024]


def test_a_year_no_plan_covers_cannot_be_locked(client: Client, demo: sa.Engine) -> None:
    body = assert_error(client.post("/api/v1/locks", json={"kind": "USULAN", "year": 2030}), 422)
    assert body["errors"][0]["field"] == "year"
    assert "Tidak ada rencana aksi yang mencakup tahun 2030" in body["detail"]
    assert client.get("/api/v1/locks").json() == []
