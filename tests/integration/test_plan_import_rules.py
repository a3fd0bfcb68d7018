"""The plan workbook import obeys the API's rules: stage roles and usulan period locks.

A koordinator may not write DPA through the API, so they may not write it by uploading a
workbook either; nobody writes usulan into a locked year, whichever way they come in.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.codes import LockKind, Role
from renaksi.errors import ForbiddenError, ValidationError
from renaksi.locks.service import LockCreate, lock
from renaksi.plan.exporter import write_plan
from renaksi.plan.importer import import_plan
from renaksi.settings import Settings
from tests.conftest import Cli
from tests.helpers import dump_database
from tests.integration.web_support import csrf_of, web_clients

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def web_as(settings: Settings, demo_loaded: Session) -> Iterator[Callable[..., Client]]:
    with web_clients(settings, demo_loaded) as login:
        yield login


def _edit_line(path: Path, stage: str, year: int, amount: int) -> tuple[int, str]:
    """Change the amount of the first Anggaran row of ``stage`` and ``year``; its row number
    and Kode Aksi."""
    book = openpyxl.load_workbook(path)
    sheet = book["Anggaran"]
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == stage and row[1].value == year:
            row[4].value = amount
            book.save(path)
            return row[0].row, str(row[0].value)
    raise AssertionError(f"no {stage} line for {year} in the export")


def test_koordinator_upload_changing_a_dpa_line_is_refused(
    web_as: Callable[..., Client], demo_loaded: Session, engine: sa.Engine, tmp_path: Path
) -> None:
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    _edit_line(path, "DPA", 2025, 999_000_000)
    client = web_as("koordinator")
    csrf = csrf_of(client.get("/impor").text)
    before = _plan_tables(engine)
    response = client.post(
        "/impor",
        data={"_csrf": csrf, "kind": "rencana"},
        files={"file": ("plan.xlsx", path.read_bytes(), "application/octet-stream")},
    )
    assert response.status_code == 422, response.text
    assert "tidak boleh mengisi anggaran tahap DPA" in response.text
    assert _plan_tables(engine) == before


def _plan_tables(engine: sa.Engine) -> dict[str, object]:
    """The plan's rows and the audit trail (logins write session rows of their own)."""
    dump = dump_database(engine)
    return {k: v for k, v in dump.items() if k in PLAN_TABLES}


PLAN_TABLES = {"plan", "action", "action_target", "budget_line", "kpi_link", "audit_log"}


def test_koordinator_refusals_are_row_errors_and_unchanged_lines_pass(
    demo_loaded: Session, engine: sa.Engine, tmp_path: Path
) -> None:
    koordinator = Actor(username="koord", role=Role.KOORDINATOR, via="session")
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    # the untouched export holds DPA and REALISASI lines: unchanged lines need no right
    import_plan(demo_loaded, path, actor=koordinator, dry_run=True)
    row, _code = _edit_line(path, "DPA", 2025, 999_000_000)
    before = dump_database(engine)
    with pytest.raises(ValidationError) as refused:
        import_plan(demo_loaded, path, actor=koordinator)
    [error] = refused.value.errors
    assert (error.sheet, error.row, error.column, error.value) == ("Anggaran", row, "Tahap", "DPA")
    assert "koordinator" in error.message
    assert dump_database(engine) == before


def test_locked_usulan_year_is_refused_by_import_even_for_an_admin(
    demo_loaded: Session, engine: sa.Engine, cli: Cli, tmp_path: Path
) -> None:
    lock(demo_loaded, Actor.system(), LockCreate(kind=LockKind.USULAN, year=2025))
    demo_loaded.commit()
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    # re-importing the locked year unchanged is fine
    assert cli("plan", "import", str(path)).exit_code == 0
    row, _code = _edit_line(path, "USULAN", 2025, 1)
    before = dump_database(engine)
    result = cli("plan", "import", str(path))
    assert result.exit_code != 0
    assert f"sheet Anggaran, baris {row}, kolom Tahun" in result.output
    assert "dikunci" in result.output and "'2025'" in result.output
    assert dump_database(engine) == before


def test_admin_import_still_writes_every_stage(
    demo_loaded: Session, engine: sa.Engine, cli: Cli, tmp_path: Path
) -> None:
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    _edit_line(path, "DPA", 2025, 999_000_000)
    _edit_line(path, "REALISASI", 2024, 1_000)
    result = cli("plan", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "Anggaran      : 0 baru (created), 2 diubah (updated)" in result.output


def test_only_admin_and_koordinator_may_import_a_plan(
    demo_loaded: Session, engine: sa.Engine, tmp_path: Path
) -> None:
    """As in the API, where only they create actions and KPI links (the web upload checks
    the same roles before calling the importer)."""
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    before = dump_database(engine)
    for role in (Role.PERENCANA, Role.BAPPEDA):
        with pytest.raises(ForbiddenError):
            import_plan(demo_loaded, path, actor=Actor(username="x", role=role, via="session"))
    assert dump_database(engine) == before


@pytest.mark.parametrize("made_by", ["seed", "export"])
def test_koordinator_changes_a_lead_and_its_lines_move_with_it(
    demo_loaded: Session, engine: sa.Engine, tmp_path: Path, made_by: str
) -> None:
    """Changing the lead is a plan change (the koordinator's, as over the API): lines whose PD
    cell is empty follow the new lead unchanged, even DPA and REALISASI lines the koordinator
    could not enter, and even in a locked usulan year. The same edit does the same in the
    seed workbook and in renaksi's own export (which leaves PD empty for the lead's rows)."""
    from tests.helpers import SEEDS

    koordinator = Actor(username="koord", role=Role.KOORDINATOR, via="session")
    source = SEEDS / "renaksi-2022-2026.xlsx"
    if made_by == "export":
        source = write_plan(demo_loaded, tmp_path / "export.xlsx")
    lock(demo_loaded, Actor.system(), LockCreate(kind=LockKind.USULAN, year=2025))
    demo_loaded.commit()
    book = openpyxl.load_workbook(source)
    for row in book["Aksi"].iter_rows(min_row=2):
        if row[0].value == "A.01.01":
            assert row[12].value == "BAG-HUKUM"
            assert set(row[13].value.split(";")) == {"DISKOMINFO", "BAG-ORG"}
            # the supporting BAG-ORG leads now; BAG-HUKUM supports (a unit is never both)
            row[12].value, row[13].value = "BAG-ORG", "DISKOMINFO;BAG-HUKUM"
    path = tmp_path / "plan.xlsx"
    book.save(path)

    def lines() -> list[tuple[int, str, str, int]]:
        query = sa.text(
            "SELECT b.year, b.stage, u.code, b.amount FROM budget_line b "
            "JOIN action a ON a.id = b.action_id JOIN unit u ON u.id = b.unit_id "
            "WHERE a.code = 'A.01.01' ORDER BY b.year, b.stage"
        )
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]

    before = lines()
    assert {unit for _, _, unit, _ in before} == {"BAG-HUKUM"}
    result = import_plan(demo_loaded, path, actor=koordinator)
    assert result.budget_lines.created == 0 and result.budget_lines.updated == len(before)
    assert lines() == [(y, s, "BAG-ORG", amount) for y, s, _, amount in before]
