"""Plans side by side: periods never overlap, and when several plans could answer, the
user is asked to choose (``--plan`` / ``plan``) instead of one being picked silently."""

from pathlib import Path

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.db.models import Plan
from tests.conftest import Cli
from tests.helpers import SEEDS, action, dump_database, write_workbook
from tests.integration.shapes import assert_error


def _load(cli: Cli) -> None:
    assert cli("units", "import", str(SEEDS / "units.csv")).exit_code == 0
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0


def test_a_plan_code_typo_does_not_create_an_overlapping_plan(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load(cli)
    before = dump_database(engine)
    book = write_workbook(tmp_path / "plan.xlsx", actions=[action("A.99")])
    result = cli("plan", "import", str(book), "--plan", "RENAKSI-2022-2025")
    assert result.exit_code != 0
    assert "RENAKSI-2022-2025 (2022–2026) tumpang tindih dengan RENAKSI-2022-2026" in result.output
    assert "--plan RENAKSI-2022-2026" in result.output
    assert dump_database(engine) == before


def test_several_plans_covering_a_year_must_be_chosen(
    cli: Cli,
    session: Session,
    client: TestClient,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    _load(cli)
    # an overlapping plan from before the importer refused them
    session.add(Plan(code="RENAKSI-LAMA", name="Lama", start_year=2024, end_year=2028))
    session.commit()

    result = cli("flags", "--year", "2025", "--json")
    assert result.exit_code != 0
    assert "mencakup tahun 2025" in result.output
    assert "RENAKSI-2022-2026 (2022–2026), RENAKSI-LAMA (2024–2028)" in result.output
    assert "--plan" in result.output

    chosen = cli("flags", "--year", "2025", "--plan", "RENAKSI-2022-2026", "--json")
    assert chosen.exit_code == 0, chosen.output
    assert chosen.output.startswith("[")

    body = assert_error(client.get("/api/v1/flags", params={"year": 2025}), 422, field="plan")
    assert "parameter plan" in body["detail"]
    ok = client.get("/api/v1/flags", params={"year": 2025, "plan": "RENAKSI-2022-2026"})
    assert ok.status_code == 200, ok.text
    # a year only one plan covers needs no choice
    assert client.get("/api/v1/flags", params={"year": 2022}).status_code == 200


def _book(path: Path, code: str, years: range) -> Path:
    headers = ["Kode Aksi", "Sasaran", "Aksi", "Indikator", "Satuan", "Arah"]
    headers += [f"Target {y}" for y in years] + ["PD Penanggung Jawab"]
    row = [code, "Sasaran", f"Aksi {code}", "Indikator", "Dokumen", "naik"]
    row += [1 for _ in years] + ["DISKOMINFO"]
    return write_workbook(path, actions=[row], action_headers=headers)


def test_import_into_one_of_several_plans_needs_plan_when_the_period_differs(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load(cli)
    book = _book(tmp_path / "next.xlsx", "B.01", range(2027, 2032))
    created = cli("plan", "import", str(book), "--plan", "RENAKSI-2027-2031")
    assert created.exit_code == 0, created.output
    before = dump_database(engine)
    # a 2023–2025 workbook matches neither plan's period
    result = cli("plan", "import", str(_book(tmp_path / "odd.xlsx", "A.98", range(2023, 2026))))
    assert result.exit_code != 0
    assert "Pilih salah satu dengan opsi --plan" in result.output
    assert "RENAKSI-2022-2026" in result.output and "RENAKSI-2027-2031" in result.output
    assert dump_database(engine) == before
