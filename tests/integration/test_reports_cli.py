"""``renaksi export budget-gap`` / ``renaksi export quarterly``: dated files by default."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from renaksi.lapor import service as lapor_service
from renaksi.lapor.service import today_wita
from tests.conftest import Cli
from tests.integration.reports_support import open_book


def test_export_writes_dated_files_under_exports_by_default(
    demo_loaded: Session, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RENAKSI_EXPORTS_DIR", raising=False)

    result = cli("export", "budget-gap", "--year", "2025", "--as-of", "2025-12-31")
    assert result.exit_code == 0, result.output
    path = Path("exports/selisih-anggaran-2025-per-2025-12-31.xlsx")
    assert str(path) in result.output
    assert open_book(tmp_path / path).sheetnames[0] == "Ringkasan"

    result = cli("export", "quarterly", "--year", "2025", "--quarter", "1")
    assert result.exit_code == 0, result.output
    today = today_wita().isoformat()
    assert (tmp_path / f"exports/laporan-triwulan-2025-tw1-per-{today}.xlsx").is_file()

    result = cli(
        "export",
        "budget-gap",
        "--year",
        "2024",
        "--unit",
        "BAPPEDA",
        "--out",
        "laporan/bappeda.xlsx",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "laporan/bappeda.xlsx").is_file()
    assert not list((tmp_path / "laporan").glob(".*partial*"))

    # a folder that does not exist yet, typed with a trailing slash, gets the dated name
    result = cli(
        "export", "quarterly", "--year", "2024", "--quarter", "4", "--as-of", "2024-12-31",
        "--out", "triwulan/",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "triwulan/laporan-triwulan-2024-tw4-per-2024-12-31.xlsx").is_file()


def test_export_errors_are_messages_with_exit_codes(demo_loaded: Session, cli: Cli) -> None:
    result = cli("export", "budget-gap", "--year", "2024", "--unit", "DINAS-ANTAH")
    assert result.exit_code == 3
    assert "PD dengan kode 'DINAS-ANTAH' tidak ditemukan." in result.output

    result = cli("export", "quarterly", "--year", "2024", "--quarter", "4", "--as-of", "2024-01-01")
    assert result.exit_code == 2
    assert "sebelum awal Triwulan IV 2024" in result.output

    result = cli("export", "quarterly", "--year", "2024", "--quarter", "5")
    assert result.exit_code == 2

    result = cli("export", "budget-gap", "--help")
    assert "renaksi export budget-gap --year 2025" in result.output
    # --as-of fixes the KPIs PRIORITAS compares; the money is never frozen (no dates on it)
    help_text = " ".join(result.output.split())
    assert "KPI untuk PRIORITAS dibekukan per tanggal ini" in help_text
    assert "Usulan, pagu dan realisasi selalu data saat ekspor." in help_text
    help_text = " ".join(cli("export", "quarterly", "--help").output.split())
    assert "Pengaduan, progres dan KPI untuk PRIORITAS dibekukan" in help_text
    assert "Data anggaran selalu data saat ekspor." in help_text


def test_export_refuses_a_future_as_of_and_names_the_real_reason(
    demo_loaded: Session, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 11, 29))
    result = cli("export", "budget-gap", "--year", "2026", "--as-of", "2027-01-05")
    assert result.exit_code == 2, result.output
    assert "Tanggal data (as_of / --as-of) 2027-01-05 sesudah hari ini" in result.output
    result = cli(
        "export", "quarterly", "--year", "2026", "--quarter", "4", "--as-of", "2027-03-31"
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--as-of" in result.output and "Sangatta" not in result.output

    # no plan covers 2027: not "the as-of date is before the quarter"
    result = cli("export", "quarterly", "--year", "2027", "--quarter", "1")
    assert result.exit_code == 3, result.output
    assert "Tidak ada rencana aksi yang mencakup tahun 2027." in result.output
    assert "sebelum awal" not in result.output

    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 8, 15))
    result = cli("export", "quarterly", "--year", "2026", "--quarter", "4")
    assert result.exit_code == 2, result.output
    assert "Triwulan IV 2026 belum dimulai" in result.output
    help_text = " ".join(cli("export", "budget-gap", "--help").output.split())
    assert "paling lambat akhir tahun laporan; bawaan hari ini (WITA), tidak boleh sesudah" in (
        help_text
    )
