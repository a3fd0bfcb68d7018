"""The account commands (``users``, ``tokens``), no default accounts, and ``demo`` refusing a
database that holds real accounts or data."""

from pathlib import Path

import sqlalchemy as sa
from click.testing import Result

from renaksi.cli import main
from tests.conftest import Cli
from tests.helpers import SEEDS


def run(cli: Cli, *args: str, stdin: str | None = None) -> Result:
    return cli.runner.invoke(
        main,
        list(args),
        input=stdin,
        env={"RENAKSI_DATABASE_URL": cli.database_url},
        catch_exceptions=False,
    )


def _hash(engine: sa.Engine, username: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT password_hash FROM app_user WHERE username = :u"), {"u": username}
        ).scalar()


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def test_demo_refuses_a_database_with_real_accounts_unless_forced(
    cli: Cli, engine: sa.Engine
) -> None:
    added = run(
        cli,
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin="sandi-admin-asli\n",
    )
    assert added.exit_code == 0, added.output
    real = _hash(engine, "admin")
    refused = run(cli, "demo", "--no-serve")
    assert refused.exit_code != 0
    assert "Demo tidak dijalankan" in refused.output and "--force" in refused.output
    assert _hash(engine, "admin") == real  # the real admin keeps their password
    assert _count(engine, "unit") == 0 and _count(engine, "app_user") == 1  # nothing loaded
    forced = run(cli, "demo", "--no-serve", "--force")
    assert forced.exit_code == 0, forced.output
    assert _hash(engine, "admin") != real


def test_demo_refuses_a_database_with_data_it_did_not_load(cli: Cli, engine: sa.Engine) -> None:
    imported = run(cli, "units", "import", str(SEEDS / "units.csv"))
    assert imported.exit_code == 0, imported.output
    refused = run(cli, "demo", "--no-serve")
    assert refused.exit_code != 0 and "tidak dibuat demo" in refused.output
    assert _count(engine, "app_user") == 0 and _count(engine, "action") == 0


def test_demo_runs_again_on_its_own_database(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'demo.db'}")
    first = run(cli, "demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "perencana.dinkes" in first.output  # generated passwords are printed
    again = run(cli, "demo", "--no-serve")
    assert again.exit_code == 0, again.output
