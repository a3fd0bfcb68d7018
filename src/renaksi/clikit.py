"""Plumbing shared by the CLI command modules: database option, sessions, output."""

import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import msgspec
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.db.migrate import upgrade
from renaksi.errors import RenaksiError, describe
from renaksi.schemas import ImportCounts
from renaksi.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def database_option(func: F) -> F:
    """Every command takes ``--database-url`` (else ``RENAKSI_DATABASE_URL``, else renaksi.db)."""

    @click.option(
        "--database-url",
        envvar="RENAKSI_DATABASE_URL",
        default=None,
        help="URL basis data SQLAlchemy (bawaan: sqlite:///renaksi.db).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, database_url: str | None, **kwargs: Any) -> Any:
        settings = Settings.from_env(database_url=database_url)
        try:
            return func(*args, settings=settings, **kwargs)
        except RenaksiError as exc:
            click.echo(describe(exc), err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_session(settings: Settings, *, migrate: bool = True) -> Iterator[Session]:
    engine = create_db_engine(settings.database_url, echo=settings.echo_sql)
    try:
        if migrate:
            upgrade(engine)
        with make_session_factory(engine)() as session:
            session.info["actor_name"] = _operator()
            yield session
    finally:
        engine.dispose()


def _operator() -> str:
    """Audit name of whoever runs the CLI on the server."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def operator(session: Session) -> Actor:
    """The local operator acting through ``session``: full rights (whoever can run the CLI on
    the server owns the database), audited under the session's name (``cli:<user>``, or
    ``demo`` for the demo loader)."""
    return Actor.system(str(session.info.get("actor_name", "cli")))


def counts_line(label: str, counts: ImportCounts) -> str:
    return (
        f"  {label:<14}: {counts.created} baru (created), {counts.updated} diubah (updated), "
        f"{counts.unchanged} tetap (unchanged)"
    )


def dump_json(value: object) -> None:
    click.echo(json.dumps(msgspec.to_builtins(value), ensure_ascii=False, indent=2))
