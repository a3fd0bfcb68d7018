"""The Alembic migrations build exactly the schema the models describe, and go down and up
again cleanly, on every test backend."""

import sqlite3

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

import renaksi.db.models  # noqa: F401 - registers every table
from renaksi.audit.recorder import AUDITED
from renaksi.auth.actor import Actor
from renaksi.codes import Source, Stage
from renaksi.db.base import Base, utcnow
from renaksi.db.engine import make_session_factory
from renaksi.db.migrate import alembic_config, upgrade
from renaksi.db.models import Action, BudgetLine, User, UserSession
from renaksi.errors import ConflictError
from renaksi.plan.importer import import_plan
from renaksi.units.service import import_units
from tests.conftest import make_user
from tests.helpers import SEEDS


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_the_models(engine: sa.Engine) -> None:
    assert _differences(engine) == []


def test_latest_migration_goes_down_and_up_again(engine: sa.Engine) -> None:
    command.downgrade(alembic_config(engine), "-1")
    upgrade(engine)
    assert _differences(engine) == []


def _autoincrement_tables(engine: sa.Engine) -> set[str]:
    """SQLite tables whose ids are never reused (declared AUTOINCREMENT)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        return {name for name, sql in rows if "AUTOINCREMENT" in sql}


def _contents(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary key order."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def test_every_audited_table_with_an_integer_id_never_reuses_ids() -> None:
    """The audit trail is filed by entity and id: a table whose id SQLite could give again
    would let one id's history tell of two records."""
    tables = [model.__table__ for model in AUDITED]  # type: ignore[attr-defined]
    with_counter = {
        t.name
        for t in tables
        if len(t.primary_key.columns) == 1
        and isinstance(t.primary_key.columns[0].type, sa.Integer)
        and not t.primary_key.columns[0].foreign_keys
    }
    declared = {t.name for t in tables if t.dialect_options["sqlite"]["autoincrement"]}
    assert with_counter == declared
    assert {"budget_line", "action", "unit", "app_user", "kpi_link"} <= declared


def _declared_autoincrement() -> set[str]:
    return {
        t.name for t in Base.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]
    }


def test_migrated_sqlite_tables_are_autoincrement_as_the_models_say(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("AUTOINCREMENT is SQLite's; PostgreSQL sequences never reuse ids")
    assert _autoincrement_tables(engine) == _declared_autoincrement()


def test_upgrade_to_0008_keeps_every_row_index_and_reference(engine: sa.Engine) -> None:
    """A database at 0007 holding the demo, a user with a token and session, and a deleted
    budget line (the highest id) upgrades with every row kept and every reference whole; the
    next new line gets an id past the deleted one's, whose history is already written."""
    sqlite = engine.dialect.name == "sqlite"
    command.downgrade(alembic_config(engine), "0007")
    if sqlite:
        assert _autoincrement_tables(engine) == set()

    def add_line(session: Session, year: int) -> int:
        action = session.scalars(sa.select(Action).order_by(Action.id).limit(1)).one()
        line = BudgetLine(
            action_id=action.id,
            year=year,
            stage=Stage.USULAN,
            source=Source.HIBAH,
            unit_id=action.lead_unit_id,
            amount=1,
        )
        session.add(line)
        session.commit()
        return line.id

    with make_session_factory(engine)() as session:
        session.info["actor_name"] = "uji-migrasi"
        import_units(session, SEEDS / "units.csv", actor=Actor.system())
        import_plan(session, SEEDS / "renaksi-2022-2026.xlsx", actor=Actor.system())
        make_user(session, "admin-uji", "admin")
        user_id = session.scalars(sa.select(User.id)).one()
        session.add(
            UserSession(id="s" * 64, user_id=user_id, csrf_token="c" * 64, expires_at=utcnow())
        )
        deleted = add_line(session, 2026)
        session.execute(sa.delete(BudgetLine).where(BudgetLine.id == deleted))
        session.commit()
    before = _contents(engine)
    assert before["budget_line"] and before["kpi_target"] and before["user_session"]
    if sqlite:
        with engine.connect() as conn:
            indexes = conn.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall()

    upgrade(engine)
    assert _contents(engine) == before
    assert _differences(engine) == []
    if sqlite:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert (
                conn.exec_driver_sql(
                    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                    "ORDER BY name"
                ).fetchall()
                == indexes
            )
        assert _autoincrement_tables(engine) == _declared_autoincrement()
    with make_session_factory(engine)() as session:
        assert add_line(session, 2025) > deleted


def test_a_migration_leaving_a_broken_reference_changes_nothing(engine: sa.Engine) -> None:
    """SQLite migrations run with foreign key enforcement off (a table rebuild drops tables
    others refer to), so every reference is checked before they commit."""
    if engine.dialect.name != "sqlite":
        pytest.skip("foreign key enforcement is switched off on SQLite only")
    command.downgrade(alembic_config(engine), "0007")
    raw = sqlite3.connect(str(engine.url.database))  # a row a broken tool left behind, say
    with raw:  # foreign_keys is off on a plain connection
        raw.execute("INSERT INTO unit_alias (unit_id, alias, alias_key) VALUES (9, 'x', 'x')")
    raw.close()

    with pytest.raises(ConflictError, match="unit_alias"):
        upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0007"
        assert conn.exec_driver_sql("SELECT count(*) FROM unit_alias").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert _autoincrement_tables(engine) == set()
