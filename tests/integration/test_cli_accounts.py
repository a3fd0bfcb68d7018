"""The account commands (``users``, ``tokens``), no default accounts, and ``demo`` refusing a
database that holds real accounts or data."""

import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import Result
from litestar.testing import TestClient

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.cli import main
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.lapor.service import import_complaints
from renaksi.settings import Settings
from renaksi.units.service import import_units
from tests.conftest import Cli
from tests.helpers import SEEDS, dump_database


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


def test_no_accounts_exist_after_db_upgrade(tmp_path: Path, cli: Cli, engine: sa.Engine) -> None:
    fresh = Cli(f"sqlite:///{tmp_path / 'baru.db'}")
    assert run(fresh, "db", "upgrade").exit_code == 0
    fresh_engine = sa.create_engine(fresh.database_url)
    assert _count(fresh_engine, "app_user") == 0
    fresh_engine.dispose()
    assert run(cli, "db", "upgrade").exit_code == 0  # the test database (PostgreSQL too)
    assert _count(engine, "app_user") == 0 and _count(engine, "api_token") == 0


def test_users_add_list_disable_and_tokens_create(
    cli: Cli, units_loaded: object, settings: Settings
) -> None:
    added = run(
        cli,
        "users", "add", "siti", "--role", "perencana", "--unit", "DINKES", "--password-stdin",
        stdin="sandi-siti-panjang\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "siti (perencana, DINKES) dibuat" in added.output
    assert "sandi-siti-panjang" not in added.output
    # no --password-stdin: without a terminal the password is still read from stdin
    prompted = run(cli, "users", "add", "budi", "--role", "bappeda", stdin="sandi-budi-panjang\n")
    assert prompted.exit_code == 0, prompted.output
    short = run(cli, "users", "add", "ani", "--role", "bappeda", stdin="pendek\n")
    assert short.exit_code != 0 and "minimal 10 karakter" in short.output
    no_unit = run(cli, "users", "add", "ani", "--role", "perencana", stdin="sandi-ani-panjang\n")
    assert no_unit.exit_code != 0 and "Perencana harus terikat pada satu PD" in no_unit.output
    twice = run(cli, "users", "add", "siti", "--role", "bappeda", stdin="sandi-siti-panjang\n")
    assert twice.exit_code != 0 and "sudah ada" in twice.output

    listed = json.loads(run(cli, "users", "list", "--json").output)
    assert {(u["username"], u["role"], u["unit"], u["active"]) for u in listed} == {
        ("siti", "perencana", "DINKES", True),
        ("budi", "bappeda", None, True),
    }
    assert "siti" in run(cli, "users", "list").output

    made = run(cli, "tokens", "create", "siti", "--name", "skrip mingguan")
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("rks_")
    assert "terakhir dipakai -" in run(cli, "tokens", "list", "siti").output
    with TestClient(create_app(settings)) as script:
        script.headers["Authorization"] = f"Bearer {secret}"
        assert script.get("/api/v1/auth/me").json()["username"] == "siti"
        [token] = json.loads(run(cli, "tokens", "list", "siti", "--json").output)
        assert (token["name"], token["revoked"]) == ("skrip mingguan", False)
        assert token["last_used_at"] is not None and secret.startswith(token["prefix"])
        # the password typed on stdin is the one that logs in
        with TestClient(create_app(settings)) as browser:
            response = browser.post(
                "/api/v1/auth/login", json={"username": "siti", "password": "sandi-siti-panjang"}
            )
            assert response.status_code == 201, response.text

            disabled = run(cli, "users", "disable", "siti")
            assert disabled.exit_code == 0 and "dinonaktifkan" in disabled.output
            assert script.get("/api/v1/auth/me").status_code == 401  # the token ended
            assert browser.get("/api/v1/auth/me").status_code == 401  # and the session
    listed = json.loads(run(cli, "users", "list", "--json").output)
    assert {u["username"]: u["active"] for u in listed} == {"siti": False, "budi": True}
    unknown = run(cli, "tokens", "create", "siapa", "--name", "x")
    assert unknown.exit_code != 0 and "tidak ditemukan" in unknown.output


def test_tokens_revoke_ends_a_token_at_the_next_request(
    cli: Cli, units_loaded: object, settings: Settings
) -> None:
    run(cli, "users", "add", "budi", "--role", "bappeda", stdin="sandi-budi-panjang\n")
    secret = run(cli, "tokens", "create", "budi", "--name", "skrip").output.strip().splitlines()[-1]
    [token] = json.loads(run(cli, "tokens", "list", "budi", "--json").output)
    with TestClient(create_app(settings)) as script:
        script.headers["Authorization"] = f"Bearer {secret}"
        assert script.get("/api/v1/auth/me").status_code == 200
        revoked = run(cli, "tokens", "revoke", str(token["id"]))
        assert revoked.exit_code == 0 and f"Token {token['id']} dicabut" in revoked.output
        assert script.get("/api/v1/auth/me").status_code == 401
    assert "dicabut" in run(cli, "tokens", "list", "budi").output
    missing = run(cli, "tokens", "revoke", "999999")
    assert missing.exit_code != 0 and "tidak ditemukan" in missing.output


def test_demo_runs_again_on_a_database_an_older_demo_made(tmp_path: Path) -> None:
    """Older demos audited their loading as ``cli:<user>`` (their LAPOR! batches as ``demo``):
    re-running the README's demo command on such a ``renaksi.db`` must still work."""
    url = f"sqlite:///{tmp_path / 'renaksi.db'}"
    cli = Cli(url)
    assert run(cli, "db", "upgrade").exit_code == 0
    engine = create_db_engine(url)
    with make_session_factory(engine)() as session:
        session.info["actor_name"] = "cli:root"
        import_units(session, SEEDS / "units.csv", actor=Actor.system())
        export = SEEDS / "lapor-kutim-2022-2024.csv"
        import_complaints(
            session,
            export.read_bytes(),
            file_name=export.name,
            settings=Settings(database_url=url),
            actor=Actor.system("demo"),
        )
    engine.dispose()
    again = run(cli, "demo", "--no-serve")
    assert again.exit_code == 0, again.output


def _active(cli: Cli) -> dict[str, bool]:
    return {
        u["username"]: u["active"] for u in json.loads(run(cli, "users", "list", "--json").output)
    }


def test_users_enable_lets_a_disabled_user_log_in_again(cli: Cli, settings: Settings) -> None:
    run(cli, "users", "add", "budi", "--role", "bappeda", stdin="sandi-budi-panjang\n")
    secret = run(cli, "tokens", "create", "budi", "--name", "skrip").output.strip().splitlines()[-1]
    assert run(cli, "users", "disable", "budi").exit_code == 0
    assert _active(cli) == {"budi": False}
    enabled = run(cli, "users", "enable", "budi")
    assert enabled.exit_code == 0, enabled.output
    assert "budi aktif kembali" in enabled.output
    assert _active(cli) == {"budi": True}
    with TestClient(create_app(settings)) as browser:
        response = browser.post(
            "/api/v1/auth/login", json={"username": "budi", "password": "sandi-budi-panjang"}
        )
        assert response.status_code == 201, response.text
    with TestClient(create_app(settings)) as script:
        script.headers["Authorization"] = f"Bearer {secret}"
        assert script.get("/api/v1/auth/me").status_code == 401  # the old token stays revoked
    unknown = run(cli, "users", "enable", "siapa")
    assert unknown.exit_code == 3 and "tidak ditemukan" in unknown.output
    assert "renaksi users enable" in run(cli, "users", "enable", "--help").output


def test_users_disable_refuses_the_last_active_admin(cli: Cli, engine: sa.Engine) -> None:
    for name in ("admin", "admin2"):
        added = run(cli, "users", "add", name, "--role", "admin", stdin="sandi-admin-panjang\n")
        assert added.exit_code == 0, added.output
    assert run(cli, "users", "disable", "admin2").exit_code == 0  # another admin remains
    before = dump_database(engine)
    refused = run(cli, "users", "disable", "admin")
    assert refused.exit_code == 4, refused.output  # conflict
    assert "admin aktif terakhir" in refused.output and "isian active" in refused.output
    assert dump_database(engine) == before
    assert run(cli, "users", "enable", "admin2").exit_code == 0
    assert run(cli, "users", "disable", "admin").exit_code == 0
    assert _active(cli) == {"admin": False, "admin2": True}


def test_users_add_checks_the_username_as_the_api_does(cli: Cli, engine: sa.Engine) -> None:
    """The rules of POST /api/v1/users (3–60 characters of letters, digits, ``._-``), checked
    before the password is asked for."""
    for name, problem in [
        ("a b", "bentuk tidak valid; nama pengguna: 3–60 karakter"),
        ("ab", "panjang teks minimal 3 karakter"),
        ("x" * 80, "panjang teks maksimal 60 karakter"),
        ("siti/dinkes", "bentuk tidak valid; nama pengguna"),
    ]:
        refused = run(cli, "users", "add", name, "--role", "bappeda")  # no password given
        assert refused.exit_code == 2, (name, refused.output)  # invalid input
        assert "Nama pengguna tidak valid" in refused.output, refused.output
        assert f"isian username: {problem}" in refused.output, refused.output
    assert _count(engine, "app_user") == 0
    bad_unit = run(
        cli, "users", "add", "siti", "--role", "perencana", "--unit", "DIN KES",
        stdin="sandi-siti-panjang\n",
    )  # fmt: skip
    assert bad_unit.exit_code == 2 and "isian unit" in bad_unit.output, bad_unit.output
    too_long = run(cli, "users", "add", "siti", "--role", "bappeda", stdin="p" * 200 + "\n")
    assert too_long.exit_code == 2 and "isian password" in too_long.output
    assert "p" * 129 not in too_long.output  # a password is never echoed
    assert _count(engine, "app_user") == 0
    for name in ("a.b", "x" * 60, "Rina_Dinkes-2"):
        ok = run(cli, "users", "add", name, "--role", "bappeda", stdin="sandi-yang-panjang\n")
        assert ok.exit_code == 0, (name, ok.output)
    assert set(_active(cli)) == {"a.b", "x" * 60, "rina_dinkes-2"}
