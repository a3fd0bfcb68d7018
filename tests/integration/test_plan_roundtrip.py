"""Export → re-import changes nothing, also for data typed through the API: text and
numbers are normalised the same way on both ways in."""

from pathlib import Path

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.plan.exporter import write_plan
from tests.conftest import Cli
from tests.helpers import dump_database


def test_api_entered_data_survives_export_and_reimport(
    demo_loaded: Session,
    client: TestClient,  # type: ignore[type-arg]
    engine: sa.Engine,
    cli: Cli,
    tmp_path: Path,
) -> None:
    created = client.post(
        "/api/v1/actions",
        json={
            "code": "Z.01",
            "objective": "Sasaran  baru ",
            "title": "Judul\nbaris dua",
            "indicator": " Jumlah   dokumen",
            "measure_unit": "Dokumen ",
            "lead_unit": "DISKOMINFO",
            "baseline": 1e-7,
            "targets": [
                {"year": 2024, "value": 1 / 3},
                {"year": 2025, "value": 0.1 + 0.2},
                {"year": 2026, "value": 33.333},
            ],
            "note": "  catatan\nbaris dua  ",
        },
    )
    assert created.status_code == 201, created.text
    action = created.json()
    assert (action["title"], action["objective"]) == ("Judul baris dua", "Sasaran baru")
    assert action["note"] == "catatan\nbaris dua"
    assert [t["value"] for t in action["targets"]] == [0.333333, 0.3, 33.333]
    for source, note in [("PAD", "catatan "), ("DAU", "   "), ("DBH", "baris 1\nbaris 2")]:
        line = client.post(
            "/api/v1/budget-lines",
            json={
                "action_id": action["id"],
                "year": 2025,
                "stage": "USULAN",
                "source": source,
                "amount": 5,
                "note": note,
            },
        )
        assert line.status_code == 201, line.text
    kpi = client.post(
        f"/api/v1/actions/{action['id']}/kpi-links",
        json={"kpi": "pct_resolved", "targets": [{"year": 2025, "value": 2 / 3}]},
    )
    assert kpi.status_code == 201, kpi.text

    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    before = dump_database(engine)
    result = cli("plan", "import", str(path))
    assert result.exit_code == 0, result.output
    for label in ("Aksi", "Anggaran", "KPI"):
        row = next(x for x in result.output.splitlines() if x.strip().startswith(label))
        assert "0 baru (created), 0 diubah (updated)" in row, row
    assert dump_database(engine) == before
