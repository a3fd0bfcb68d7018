"""Engine and session factory.

SQLite is set up on every connection (foreign keys, WAL, busy timeout) and its transactions
are begun by us, not by the driver, so write transactions can be ``BEGIN IMMEDIATE``: SQLite
allows one writer, and taking the write lock up front turns "database is locked" half-way
through a transaction into a short wait at its start.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from renaksi.db import revision

WRITE_OPTION = "renaksi_write"


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the pragmas and pool each backend wants."""
    sa_url = sa.make_url(url)
    if sa_url.get_backend_name() == "postgresql" and sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        # connections are kept (opening one costs more than most requests): one per thread
        # of the server's pool, for the request and for its caller's identity
        engine = sa.create_engine(
            sa_url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
        )
        _setup_sqlite(engine)
        return engine
    return sa.create_engine(sa_url, echo=echo, pool_pre_ping=True, pool_size=20, max_overflow=10)


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit and write the audit trail on flush."""
    from renaksi.audit.recorder import after_flush  # the recorder needs the models

    factory = sessionmaker(engine, expire_on_commit=False, autoflush=False)
    event.listen(factory, "after_flush", after_flush)
    revision.track_changes(factory)
    return factory


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on any error.

    Must be entered before the session has read anything, so that SQLite takes the write
    lock at ``BEGIN``. A read transaction left open is closed first (it holds no changes).
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("write_transaction entered with pending changes")
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
    revision.begin(session)
    try:
        yield session
        if session.in_transaction():  # not after a dry run's rollback
            session.flush()
            revision.bump(session)  # last: its row stays locked only while committing
        session.commit()
    except BaseException:
        session.rollback()
        raise
