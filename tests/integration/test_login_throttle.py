"""Login throttling under parallel guesses, and the password check outside the write lock."""

import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth import schemas, service
from renaksi.auth.passwords import verify_password
from renaksi.db.engine import make_session_factory
from renaksi.errors import NotAuthenticatedError, TooManyRequestsError
from tests.conftest import make_user

GUESSES = 15


def _counting_verify(counter: list[int], lock: threading.Lock) -> Any:
    def verify(stored: str | None, password: str) -> tuple[bool, bool]:
        with lock:
            counter[0] += 1
        return verify_password(stored, password)

    return verify


def test_parallel_wrong_guesses_are_throttled(
    engine: sa.Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "budi", "bappeda")
    verified, lock = [0], threading.Lock()
    monkeypatch.setattr(service, "verify_password", _counting_verify(verified, lock))
    factory = make_session_factory(engine)
    start = threading.Barrier(GUESSES)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        with factory() as own:
            try:
                service.login(
                    own,
                    schemas.Login(username="budi", password=f"tebakan-{n}"),
                    client=f"10.0.0.{n}",  # a different address each: only the user limit holds
                )
            except TooManyRequestsError:
                outcome = "429"
            except NotAuthenticatedError:
                outcome = "401"
            else:
                outcome = "masuk"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == GUESSES
    assert "masuk" not in outcomes
    assert outcomes.count("429") >= GUESSES - service.MAX_FAILURES_PER_USER
    assert outcomes.count("401") <= service.MAX_FAILURES_PER_USER
    assert verified[0] <= service.MAX_FAILURES_PER_USER  # no more guesses checked than allowed


def test_password_check_does_not_hold_the_sqlite_write_lock(
    engine: sa.Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    make_user(session, "budi", "bappeda")
    session.close()
    path = engine.url.database
    assert path
    writable: list[bool] = []

    def verify(stored: str | None, password: str) -> tuple[bool, bool]:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the login holds the lock
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return verify_password(stored, password)

    monkeypatch.setattr(service, "verify_password", verify)
    with make_session_factory(engine)() as own:
        token, result = service.login(
            own, schemas.Login(username="budi", password="kata-sandi-uji-panjang"), client="x"
        )
    assert token and result.user.username == "budi"
    assert writable == [True]


def test_unknown_user_costs_a_real_password_check(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name runs argon2 against a dummy hash, so timing does not tell it apart."""
    make_user(session, "budi", "bappeda")
    checked: list[str | None] = []

    def verify(stored: str | None, password: str) -> tuple[bool, bool]:
        checked.append(stored)
        return verify_password(stored, password)

    monkeypatch.setattr(service, "verify_password", verify)
    for name in ("siapa", "budi"):
        with pytest.raises(NotAuthenticatedError) as refused:
            service.login(
                session, schemas.Login(username=name, password="salah-sekali"), client="x"
            )
        assert refused.value.detail == service.WRONG_LOGIN
    assert len(checked) == 2 and checked[0] is None and checked[1]  # both were checked
    from renaksi.auth import passwords

    assert passwords._DUMMY.startswith("$argon2id$")  # what None is checked against
