"""The ``renaksi`` command as a user runs it: imports, readable tables, JSON, errors."""

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.cli import main
from renaksi.formatting import rupiah
from renaksi.plan.importer import import_plan
from renaksi.units.service import import_units
from tests.conftest import Cli
from tests.helpers import SEEDS, action, dump_database, write_workbook
from tests.integration.conftest import DEMO_TABLES, Shared

Client = TestClient[Any]
HEADER = "code,name,kind,aliases\n"


def write(tmp_path: Path, text: str | bytes, name: str = "units.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def plan_tables(engine: sa.Engine) -> dict[str, Any]:
    """The units, plan and budget rows (what ``renaksi demo`` loads from the seeds)."""
    names = {t.name for t in DEMO_TABLES}
    return {k: v for k, v in dump_database(engine).items() if k in names}


def no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert "Error:" not in output or "kesalahan" in output.lower()


# --- the unit list CSV -------------------------------------------------------------------


def test_unit_csv_creates_then_updates_by_code(cli: Cli, api: Client, tmp_path: Path) -> None:
    first = write(
        tmp_path,
        HEADER + "DISKOMINFO,Dinas Kominfo,dinas,Diskominfo|Dinas Kominfo Kutim\n"
        "64.08.04,Kecamatan Sangatta Utara,kecamatan,Kec. Sangatta Utara\n",
    )
    result = cli("units", "import", first)
    assert result.exit_code == 0, result.output
    assert "2 baru (created), 0 diubah (updated), 0 tetap (unchanged)" in result.output

    second = write(
        tmp_path,
        HEADER + "DISKOMINFO,Dinas Komunikasi dan Informatika,dinas,Diskominfo\n"
        "64.08.04,Kecamatan Sangatta Utara,kecamatan,Kec. Sangatta Utara\n"
        "BAPPEDA,Badan Perencanaan Pembangunan Daerah,badan,\n",
        name="again.csv",
    )
    result = cli("units", "import", second)
    assert result.exit_code == 0, result.output
    assert "1 baru (created), 1 diubah (updated), 1 tetap (unchanged)" in result.output

    listed = cli("units", "list", "--json")
    units = {u["code"]: u for u in json.loads(listed.output)}
    assert set(units) == {"BAPPEDA", "DISKOMINFO", "64.08.04"}
    assert units["DISKOMINFO"]["name"] == "Dinas Komunikasi dan Informatika"
    assert units["DISKOMINFO"]["aliases"] == ["Diskominfo"]
    assert units["DISKOMINFO"]["version"] == 2
    assert units["64.08.04"]["version"] == 1
    assert json.loads(listed.output) == api.get("/api/v1/units").json()


def test_unit_csv_errors_name_row_and_column_and_write_nothing(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    before = dump_database(engine)
    path = write(
        tmp_path,
        HEADER + "DINKES,Dinas Kesehatan,dinas,\n"
        "DISHUB,Dinas Perhubungan,planet,\n"
        "DINKES,Dinas Kesehatan Lagi,dinas,\n"
        "DISPAR,,dinas,\n",
    )
    result = cli("units", "import", path)
    assert result.exit_code == 2
    out = result.output
    assert "3 kesalahan, tidak ada yang disimpan" in out
    assert "sheet CSV, baris 3, kolom kind" in out and "'planet'" in out
    assert "sheet CSV, baris 4, kolom code" in out and "ganda" in out
    assert "sheet CSV, baris 5, kolom name" in out
    no_traceback(out)
    assert dump_database(engine) == before


def test_unit_csv_from_indonesian_excel_is_accepted(cli: Cli, tmp_path: Path) -> None:
    """Excel in an Indonesian locale writes ';', and 'CSV UTF-8' starts with a BOM."""
    text = "Kode;Nama;Jenis;Alias\r\nDISKOMINFO;Dinas Kominfo, Statistik;dinas;Diskominfo\r\n"
    path = write(tmp_path, b"\xef\xbb\xbf" + text.encode())
    result = cli("units", "import", path)
    assert result.exit_code == 0, result.output
    assert "1 baru (created)" in result.output
    unit = json.loads(cli("units", "list", "--json").output)[0]
    assert (unit["code"], unit["name"], unit["aliases"]) == (
        "DISKOMINFO",
        "Dinas Kominfo, Statistik",
        ["Diskominfo"],
    )
    bom_commas = write(tmp_path, b"\xef\xbb\xbf" + HEADER.encode() + b"BAPPEDA,Bappeda,badan,\n")
    assert cli("units", "import", bom_commas).exit_code == 0


def test_unit_csv_problems_are_explained_in_indonesian(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    assert cli("units", "import", write(tmp_path, HEADER + "SETDA,Setda,sekretariat,Setda Kutim\n"))
    before = dump_database(engine)
    cases = {
        # a value the API would refuse, named in its own column
        HEADER + "DINKES," + "n" * 201 + ",dinas,\n": "baris 2, kolom name",
        HEADER + "DINKES,Dinas Kesehatan,dinas," + "a" * 201 + "\n": "baris 2, kolom aliases",
        HEADER + "DIN KES,Dinas Kesehatan,dinas,\n": "baris 2, kolom code",
        # an alias another unit (not in the file) already has
        HEADER + "DINKES,Dinas Kesehatan,dinas,setda  KUTIM\n": "baris 2, kolom aliases",
        # a name another unit has as name or code, or two new units named alike
        HEADER + "SETDA2,SETDA,sekretariat,\n": "baris 2, kolom name: nama sudah dipakai PD SETDA",
        HEADER + "A,Dinas Satu,dinas,\nB,dinas  satu,dinas,\n": "baris 3, kolom name",
        # an unquoted comma makes a row longer than the header
        HEADER + "DINKES,Dinas Kesehatan,dinas,\nDISPAR,Dinas Pariwisata, Kutim,dinas,\n": (
            "baris 3"
        ),
        "code,name\nDINKES,Dinas Kesehatan\n": "kolom wajib 'kind' tidak ada",
    }
    for text, where in cases.items():
        result = cli("units", "import", write(tmp_path, text, "bad.csv"))
        assert result.exit_code == 2, (text, result.output)
        assert where in result.output, (text, result.output)
        no_traceback(result.output)
    not_utf8 = cli(
        "units",
        "import",
        write(tmp_path, (HEADER + "DINKES,Dinas Kesehatan Ü,dinas,\n").encode("cp1252")),
    )
    assert not_utf8.exit_code == 2
    assert "UTF-8" in not_utf8.output
    empty = cli("units", "import", write(tmp_path, b""))
    assert empty.exit_code == 2 and "kosong" in empty.output
    assert dump_database(engine) == before


def test_unit_csv_dry_run_counts_but_writes_nothing(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    before = dump_database(engine)
    result = cli(
        "units", "import", write(tmp_path, HEADER + "DINKES,Dinas Kesehatan,dinas,\n"), "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "uji coba" in result.output and "1 baru (created)" in result.output
    assert dump_database(engine) == before


def test_plan_workbook_values_the_database_cannot_hold_are_reported(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    """Too long for its column, or too large for any number: listed, never a crash."""
    assert cli("units", "import", str(SEEDS / "units.csv")).exit_code == 0
    before = dump_database(engine)
    book = write_workbook(
        tmp_path / "plan.xlsx",
        actions=[
            action("A.01", Sasaran="s" * 501),
            action("A.02", Satuan="u" * 61),
            action("A 03"),
            action("A.04", **{"Target 2025": "1e999"}),
            action("A.05"),
        ],
        budget=[
            ["A.05", 2025, "USULAN", "PAD", "1e999", None, None],
            ["A.05", 2025, "DPA", "PAD", 10**16, None, None],
        ],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code == 2, result.output
    out = result.output
    assert "6 kesalahan" in out
    assert "sheet Aksi, baris 2, kolom Sasaran" in out
    assert "sheet Aksi, baris 3, kolom Satuan" in out
    assert "sheet Aksi, baris 4, kolom Kode Aksi" in out
    assert "sheet Aksi, baris 5, kolom Target 2025" in out
    assert "sheet Anggaran, baris 2, kolom Jumlah" in out
    assert "sheet Anggaran, baris 3, kolom Jumlah" in out and "terlalu besar" in out
    no_traceback(out)
    assert dump_database(engine) == before


# --- readable tables and JSON ------------------------------------------------------------


def test_flags_table_shows_rupiah_the_indonesian_way(shared_demo: Shared) -> None:
    table = shared_demo.cli("flags", "--year", "2025")
    assert table.exit_code == 0, table.output
    rows = json.loads(shared_demo.cli("flags", "--year", "2025", "--json").output)
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["Kode", "Aksi", "PD"]
    assert re.search(r"Rp \d{1,3}(\.\d{3}){2,}", table.output)  # Rp 1.234.567
    assert not re.search(r"Rp \d{4,}", table.output)  # never Rp 1234567
    for row in rows:
        line = next(x for x in lines if x.startswith(row["action_code"] + " "))
        for key in ("usulan", "pagu", "realisasi", "gap"):
            assert rupiah(row[key]) in line, (row, line)
        assert ", ".join(row["flags"]) in line if row["flags"] else line.endswith("-")
    flagged = sum(1 for r in rows if r["flags"])
    assert lines[-1] == f"{len(rows)} aksi-tahun, {flagged} dengan flag."


def test_summary_json_matches_the_api(shared_demo: Shared) -> None:
    result = shared_demo.cli("summary", "--year", "2025", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary == shared_demo.client.get("/api/v1/summary?year=2025").json()
    assert summary["total"]["pagu"] == sum(u["pagu"] for u in summary["units"])
    table = shared_demo.cli("summary", "--year", "2025").output.splitlines()
    total = table[-1]
    assert total.startswith("TOTAL") and rupiah(summary["total"]["usulan"]) in total


def test_units_list_json_matches_the_api(shared_demo: Shared) -> None:
    result = shared_demo.cli("units", "list", "--json")
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)
    assert units == shared_demo.client.get("/api/v1/units").json()
    assert len(units) == 65
    plain = shared_demo.cli("units", "list").output.splitlines()
    assert len(plain) == 65 and plain[0].split()[0] == units[0]["code"]


# --- database and demo -------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'baru.db'}"
    cli = Cli(url)
    for _ in range(2):
        result = cli("db", "upgrade")
        assert result.exit_code == 0, result.output
        assert "Skema basis data mutakhir" in result.output
    engine = sa.create_engine(url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"unit", "unit_alias", "plan", "action", "budget_line", "alembic_version"} <= tables


def _leaf_commands(group: click.Group, prefix: str = "renaksi") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _leaf_commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def test_every_command_takes_database_url() -> None:
    """Issue 2: every command also takes ``--database-url`` (not only RENAKSI_DATABASE_URL)."""
    commands = _leaf_commands(main)
    assert len(commands) > 20
    missing = [
        name
        for name, command in commands
        if not any("--database-url" in p.opts for p in command.params)
    ]
    assert missing == []


def test_database_url_option_beats_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "pilihan.db"
    monkeypatch.setenv("RENAKSI_DATABASE_URL", f"sqlite:///{tmp_path / 'lain.db'}")
    runner = CliRunner()
    upgrade = runner.invoke(main, ["db", "upgrade", "--database-url", f"sqlite:///{chosen}"])
    assert upgrade.exit_code == 0, upgrade.output
    units = write(tmp_path, HEADER + "DINKES,Dinas Kesehatan,dinas,\n")
    result = runner.invoke(
        main, ["units", "import", units, "--database-url", f"sqlite:///{chosen}"]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["units", "list", "--database-url", f"sqlite:///{chosen}"])
    assert "DINKES" in listed.output
    assert not (tmp_path / "lain.db").exists()


def test_demo_loads_once_and_reloading_changes_nothing(cli: Cli, engine: sa.Engine) -> None:
    first = cli("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "65 baru (created)" in first.output
    assert "40 baru (created)" in first.output
    assert "562 baru (created)" in first.output
    loaded = plan_tables(engine)

    second = cli("demo", "--no-serve")
    assert second.exit_code == 0, second.output
    counts = [x for x in second.output.splitlines() if "baru (created)" in x]
    assert len(counts) >= 4
    assert all("0 baru (created), 0 diubah (updated)" in x for x in counts), second.output
    # (the demo accounts get new passwords on every run, by design)
    assert plan_tables(engine) == loaded


def test_the_demo_fixture_is_what_the_importers_write(demo: sa.Engine, session: Session) -> None:
    """``demo`` copies rows instead of importing: importing the seeds again finds no change."""
    units = import_units(session, SEEDS / "units.csv", actor=Actor.system()).units
    assert (units.created, units.updated, units.unchanged) == (0, 0, 65)
    plan = import_plan(session, SEEDS / "renaksi-2022-2026.xlsx", actor=Actor.system())
    for counts in (plan.actions, plan.budget_lines, plan.kpi_links):
        assert (counts.created, counts.updated) == (0, 0)
    assert (plan.actions.unchanged, plan.budget_lines.unchanged) == (40, 562)


# --- errors ------------------------------------------------------------------------------


def test_user_errors_print_indonesian_and_exit_non_zero(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    cases: list[tuple[tuple[str, ...], int, str]] = [
        (("units", "alias", "add", "DINAS-ANTAH", "Dinas Antah"), 3, "tidak ditemukan"),
        (("flags", "--year", "2031"), 3, "Tidak ada rencana aksi"),
        (("summary", "--year", "2025"), 3, "Tidak ada rencana aksi"),
        (("plan", "export", str(tmp_path / "x.xlsx")), 3, "Belum ada rencana aksi"),
    ]
    for args, code, text in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.output)
        assert text in result.output, (args, result.output)
        no_traceback(result.output)
    broken = write(tmp_path, b"PK\x03\x04 bukan workbook", "rusak.xlsx")
    result = cli("plan", "import", broken)
    assert result.exit_code == 2
    assert "tidak dapat dibaca" in result.output
    no_traceback(result.output)
