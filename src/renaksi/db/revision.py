"""Caching what is derived from the data, safely across requests and server processes.

Flags, KPIs and pages of actions are recomputed from many rows, yet the data behind them
changes a few times a minute at most. Every write transaction (``write_transaction``) that
changed rows replaces the token in ``data_revision`` just before it commits; a cached result is stored
under the token it was computed with and is used only while the database still holds that
token. So a change made through any server process or the CLI is seen at the next request
of every process, with no messages between them.

- The token is read in the reader's own transaction, so a result stored under it was
  computed from data at least as new as that token (on SQLite the read transaction is one
  snapshot; on PostgreSQL later statements can only see newer data).
- Writes that bypass the application (hand-written SQL) do not change the token: entries
  also expire after ``RENAKSI_CACHE_SECONDS`` (default 300; 0 switches caching off).
- Each engine (database) has its own cache, bounded in entries; old tokens' entries go as
  soon as a newer token is seen.

Cached values are shared between threads and must be treated as read-only (polars frames
and msgspec Structs that nobody mutates).
"""

from __future__ import annotations

import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

T = TypeVar("T")

DEFAULT_SECONDS = 300.0
MAX_ENTRIES = 256

_BUMP = sa.text(
    "INSERT INTO data_revision (id, token) VALUES (1, :token) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
_READ = sa.text("SELECT token FROM data_revision WHERE id = 1")


CHANGED = "renaksi_data_changed"


def _note_flush(session: Session, _: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty):
        session.info[CHANGED] = True


def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[CHANGED] = True


def track_changes(factory: sessionmaker[Session]) -> None:
    """Mark a session whose transaction changed rows through the ORM or ``session.execute``.

    (Bulk loads that write on the driver connection add an ``ImportBatch`` row in the same
    transaction, so they are marked too.)
    """
    event.listen(factory, "after_flush", _note_flush)
    event.listen(factory, "do_orm_execute", _note_statement)
    event.listen(factory, "after_transaction_end", _forget_token)


def _forget_token(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the next transaction may see other data
        session.info.pop(KNOWN, None)


def begin(session: Session) -> None:
    """Forget changes noted in an earlier transaction of this session, and the token it read
    (this transaction may change it)."""
    session.info.pop(CHANGED, None)
    session.info.pop(KNOWN, None)


def bump(session: Session) -> None:
    """Give the data a new token if this transaction changed anything (``write_transaction``
    calls it just before committing). A transaction that changed nothing, like re-importing
    the same file, leaves the token, and every cache, as they were."""
    if session.info.pop(CHANGED, False):
        session.connection().execute(_BUMP, {"token": secrets.randbits(62)})


#: ``session.info`` key of a token already read for this request (see :func:`current`)
KNOWN = "renaksi_revision_token"


def current(session: Session) -> int | None:
    """The token of the data this session sees (None when the row is missing: no caching).

    A request reads it once: the identity middleware reads it with the caller's token and
    hands it to the request's session, so a cached answer costs no database round trip. A
    token read at the start of a request is at most as new as the data the request then
    reads, and entries stored under it are at least that new, so the answer is never older
    than the request. ``write_transaction`` forgets it: after a write, it is read again.
    """
    known = session.info.get(KNOWN)
    if known is not None:
        return int(known)
    value = session.connection().execute(_READ).scalar_one_or_none()
    if value is None:
        return None
    session.info[KNOWN] = int(value)
    return int(value)


class _Cache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.token: int | None = None
        self.entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, token: int, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            if token != self.token:
                return False, None
            found = self.entries.get(key)
            if found is None:
                return False, None
            stored_at, value = found
            if time.monotonic() - stored_at > self.seconds:
                del self.entries[key]
                return False, None
            self.entries.move_to_end(key)
            return True, value

    def put(self, token: int, key: Hashable, value: Any) -> None:
        with self.lock:
            if token != self.token:
                # a token we have not seen: the data changed (or this reader is older than
                # the cache; its entries are then dropped once, harmlessly)
                self.entries.clear()
                self.token = token
            self.entries[key] = (time.monotonic(), value)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Engine, _Cache] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def configure(engine: Engine, *, seconds: float) -> None:
    """Set how long entries live for ``engine`` (0: no caching)."""
    with _registry_lock:
        _caches[engine] = _Cache(seconds)


def _cache_for(session: Session) -> _Cache | None:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _registry_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _Cache(DEFAULT_SECONDS)
    return cache if cache.seconds > 0 else None


def cached(
    session: Session,
    key: Hashable,
    compute: Callable[[], T],
    *,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """``compute()``, or what it returned earlier for ``key`` on the same data.

    ``keep`` decides which results are worth storing (default: all).
    """
    cache = _cache_for(session)
    token = current(session) if cache is not None else None
    if cache is None or token is None:
        return compute()
    hit, value = cache.get(token, key)
    if hit:
        return cast(T, value)
    value = compute()
    if keep is None or keep(value):
        cache.put(token, key, value)
    return value
