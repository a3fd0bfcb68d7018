"""Concurrent writers through two server processes on one database: no lost update and no
"database is locked"."""

import threading
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from renaksi.auth.actor import Actor
from renaksi.budget import service as budget
from renaksi.budget.schemas import BudgetLineCreate, BudgetLineUpdate
from renaksi.codes import Source, Stage
from renaksi.db.engine import WRITE_OPTION, make_session_factory
from renaksi.db.models import Action, ActionTarget, BudgetLine
from renaksi.errors import PreconditionFailedError
from renaksi.plan import service as plan
from renaksi.plan.schemas import ActionUpdate, Target
from tests.conftest import make_user

WRITERS = 8
INCREMENTS = 5


def test_concurrent_increments_lose_nothing(
    two_servers: list[str], session: Session, demo_loaded: Session
) -> None:
    token = make_user(session, "admin-paralel", "admin")
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.Client(base_url=two_servers[i % 2], headers=headers, timeout=60)
        for i in range(WRITERS)
    ]
    line = clients[0].get("/api/v1/budget-lines", params={"per_page": 1}).json()["items"][0]
    url = f"/api/v1/budget-lines/{line['id']}"
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def writer(client: httpx.Client) -> None:
        done = attempts = 0
        while done < INCREMENTS and attempts < 300:
            attempts += 1
            current = client.get(url)
            response = client.patch(
                url,
                json={"amount": current.json()["amount"] + 1},
                headers={"If-Match": current.headers["ETag"]},
            )
            with lock:
                statuses[response.status_code] += 1
                if response.status_code not in (200, 412):
                    failures.append(response.text)
                    return
            done += response.status_code == 200

    threads = [threading.Thread(target=writer, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    for client in clients:
        client.close()
    assert not failures, failures[:3]  # no 500, no "database is locked"
    assert statuses[200] == WRITERS * INCREMENTS
    final = httpx.get(f"{two_servers[1]}{url}", headers=headers).json()
    assert final["amount"] == line["amount"] + WRITERS * INCREMENTS  # zero lost updates
    assert final["version"] == line["version"] + WRITERS * INCREMENTS


def test_action_patch_racing_a_commit_is_refused(engine: sa.Engine, demo_loaded: Session) -> None:
    """A PATCH whose If-Match was current when it read the action, but which reads the
    action's targets after another writer committed, must answer 412, not 200.

    Found by the load test (``test_load.py``) on PostgreSQL: under READ COMMITTED the action
    row and its target rows are read by separate statements and could come from either side of
    another writer's commit. When that writer had set the same targets, the PATCH saw "no
    change", wrote nothing (so no version check in an UPDATE) and answered 200: one of two
    "+1"s was lost. The action row is now locked when read for a write.
    """
    factory = make_session_factory(engine)
    actor = Actor.system("uji")
    with factory() as session:
        action_id = session.scalar(
            sa.select(sa.func.min(ActionTarget.action_id)).where(ActionTarget.year == 2025)
        )
        assert action_id is not None
        before = plan.get_action(session, action_id, actor=actor)
    bumped = [Target(year=t.year, value=t.value + (t.year == 2025)) for t in before.targets]

    # another writer's +1: flushed (row locked), not committed yet
    other = factory()
    other.connection(execution_options={WRITE_OPTION: True})
    row = other.scalars(
        sa.select(Action).options(selectinload(Action.targets)).where(Action.id == action_id)
    ).one()
    plan.set_targets(row, {t.year: t.value for t in bumped})
    row.touch()
    other.flush()

    reached, committed = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def pause_before_targets(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread() is racer and "FROM action_target" in statement:
            reached.set()
            committed.wait(10)

    def patch_the_same() -> None:
        with factory() as session:
            try:
                outcome["answer"] = plan.update_action(
                    session,
                    action_id,
                    ActionUpdate(targets=bumped),
                    actor=actor,
                    expected_version=before.version,
                )
            except PreconditionFailedError as exc:
                outcome["refused"] = exc

    racer = threading.Thread(target=patch_the_same)
    event.listen(engine, "before_cursor_execute", pause_before_targets)
    try:
        racer.start()
        reached.wait(1)  # with the row lock (or SQLite's one writer) it waits for the commit
        other.commit()
        other.close()
        committed.set()
        racer.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", pause_before_targets)
    assert "refused" in outcome, outcome
    with factory() as session:
        after = plan.get_action(session, action_id, actor=actor)
    assert after.version == before.version + 1


def test_write_answers_show_their_own_change_not_a_later_one(
    engine: sa.Engine, demo_loaded: Session
) -> None:
    """A 200 answer to a PATCH or POST shows what that request wrote, even when another
    writer commits between its commit and its answer.

    Found by the load test on PostgreSQL: the PATCH read its answer after committing, so an
    action PATCHed to baseline 27 answered 28, another user's "+1" committed in between.
    """
    factory = make_session_factory(engine)
    actor = Actor.system("uji")
    with factory() as session:
        action_id = session.scalar(sa.select(sa.func.min(Action.id)))
        line_id = session.scalar(sa.select(sa.func.min(BudgetLine.id)))
        assert action_id is not None and line_id is not None
        action = plan.get_action(session, action_id, actor=actor)
        line = budget.get_line(session, line_id, actor=actor)
        used = set(
            session.scalars(
                sa.select(BudgetLine.source).where(
                    BudgetLine.action_id == action_id,
                    BudgetLine.year == 2026,
                    BudgetLine.stage == Stage.REALISASI,
                )
            )
        )
        free = next(source for source in Source if source not in used)

    def later_writer(statement: sa.Update) -> Any:
        """After the request's own commit, before it answers, another writer commits."""

        def write(_session: Session) -> None:
            with engine.begin() as conn:
                conn.execute(statement)

        return write

    def changed_by_another(model: Any, row_id: int, **values: object) -> sa.Update:
        return (
            sa.update(model).where(model.id == row_id).values(version=model.version + 1, **values)
        )

    writes = {
        "action": (
            changed_by_another(Action, action_id, baseline=9999),
            lambda s: (
                plan.update_action(
                    s,
                    action_id,
                    ActionUpdate(baseline=27),
                    actor=actor,
                    expected_version=action.version,
                ).baseline
            ),
            27,
        ),
        "line": (
            changed_by_another(BudgetLine, line_id, amount=1),
            lambda s: (
                budget.update_line(
                    s,
                    line_id,
                    BudgetLineUpdate(amount=line.amount + 5),
                    actor=actor,
                    expected_version=line.version,
                ).amount
            ),
            line.amount + 5,
        ),
        "new line": (
            sa.update(BudgetLine)
            .where(BudgetLine.note == "jawaban sendiri")
            .values(note="diubah orang lain"),
            lambda s: (
                budget.create_line(
                    s,
                    BudgetLineCreate(
                        action_id=action_id,
                        year=2026,
                        stage=Stage.REALISASI,
                        source=free,
                        amount=123,
                        note="jawaban sendiri",
                    ),
                    actor=actor,
                ).note
            ),
            "jawaban sendiri",
        ),
    }
    for name, (statement, request, expected) in writes.items():
        with factory() as session:
            hook = later_writer(statement)
            event.listen(session, "after_commit", hook)
            try:
                answer = request(session)
            finally:
                event.remove(session, "after_commit", hook)
        assert answer == expected, name
