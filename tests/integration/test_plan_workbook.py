"""The plan workbook: import, flags on it, round trip, and all-errors-at-once rejection."""

import json
from pathlib import Path

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import Session

from renaksi.plan.exporter import write_plan
from tests.conftest import Cli
from tests.helpers import ACTION_HEADERS, SEEDS, action, dump_database, write_workbook


def _load_units(cli: Cli) -> None:
    result = cli("units", "import", str(SEEDS / "units.csv"))
    assert result.exit_code == 0, result.output


def test_flags_follow_domain_rules_on_an_imported_workbook(cli: Cli, tmp_path: Path) -> None:
    _load_units(cli)
    book = write_workbook(
        tmp_path / "plan.xlsx",
        actions=[
            action("A.01", targets={2025: 1}),
            action("A.02", targets={2025: 1}, **{"PD Penanggung Jawab": "BAPPEDA"}),
            action("A.03", targets={2024: 1}),
            action("A.04", targets={2025: 1}),
        ],
        budget=[
            # DPPA replaces DPA: 100 requested, DPA 100, DPPA 70 → KURANG_PAGU, gap 30
            ["A.01", 2025, "USULAN", "PAD", 100_000_000, None, None],
            ["A.01", 2025, "DPA", "PAD", 100_000_000, None, None],
            ["A.01", 2025, "DPPA", "PAD", 70_000_000, None, None],
            # NON_APBD ignored: donor money is not pagu → TANPA_PAGU
            ["A.02", 2025, "USULAN", "DAU", 50_000_000, None, None],
            ["A.02", 2025, "DPA", "NON_APBD", 80_000_000, None, "Dukungan USAID"],
            # a year with budget lines but no target is still reported
            ["A.03", 2025, "USULAN", "PAD", 20_000_000, None, None],
            # pagu above usulan: gap never negative
            ["A.04", 2025, "USULAN", "PAD", 10_000_000, None, None],
            ["A.04", 2025, "DPA", "PAD", 15_000_000, None, None],
        ],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code == 0, result.output
    assert "4 baru (created)" in result.output

    result = cli("flags", "--year", "2025", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["action_code"]: r for r in json.loads(result.output)}
    assert set(rows) == {"A.01", "A.02", "A.03", "A.04"}
    assert rows["A.01"] == {
        "action_code": "A.01",
        "year": 2025,
        "unit_code": "DISKOMINFO",
        "usulan": 100_000_000,
        "pagu": 70_000_000,
        "realisasi": 0,
        "gap": 30_000_000,
        "flags": ["KURANG_PAGU"],
    }
    assert rows["A.02"]["unit_code"] == "BAPPEDA"
    assert rows["A.02"]["pagu"] == 0
    assert rows["A.02"]["flags"] == ["TANPA_PAGU"]
    assert rows["A.03"]["flags"] == []
    assert rows["A.03"]["gap"] == 20_000_000
    assert rows["A.04"]["gap"] == 0
    assert rows["A.04"]["flags"] == []


def test_seed_export_then_reimport_changes_nothing(
    demo_loaded: Session, engine: sa.Engine, cli: Cli, tmp_path: Path
) -> None:
    path = write_plan(demo_loaded, tmp_path / "export.xlsx")
    before = dump_database(engine)
    result = cli("plan", "import", str(path))
    assert result.exit_code == 0, result.output
    for label in ("Aksi", "Anggaran", "KPI"):
        line = next(x for x in result.output.splitlines() if x.strip().startswith(label))
        assert "0 baru (created), 0 diubah (updated)" in line, line
    assert dump_database(engine) == before


def test_reimporting_the_same_file_changes_nothing(cli: Cli, engine: sa.Engine) -> None:
    _load_units(cli)
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0
    before = dump_database(engine)
    result = cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx"))
    assert result.exit_code == 0
    assert "40 tetap (unchanged)" in result.output
    assert dump_database(engine) == before


def test_four_errors_are_all_listed_and_nothing_is_written(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    before = dump_database(engine)
    book = write_workbook(
        tmp_path / "bad.xlsx",
        actions=[
            action("A.01"),
            action("A.02", **{"PD Penanggung Jawab": "DINAS-ANTAH"}),  # unknown unit code
            action("A.01"),  # duplicate Kode Aksi
        ],
        budget=[
            ["A.01", 2025, "USULAN", "PAD", -5, None, None],  # negative amount
            ["A.01", 2031, "DPA", "PAD", 1000, None, None],  # year outside the plan
            # A.02 is on sheet Aksi (with an error of its own): no false "Kode Aksi tidak ada"
            ["A.02", 2025, "USULAN", "PAD", 1000, None, None],
        ],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code != 0
    out = result.output
    assert "4 kesalahan" in out
    assert "sheet Aksi, baris 3, kolom PD Penanggung Jawab" in out and "DINAS-ANTAH" in out
    assert "sheet Aksi, baris 4, kolom Kode Aksi" in out and "ganda" in out
    assert "sheet Anggaran, baris 2, kolom Jumlah" in out and "'-5'" in out
    assert "sheet Anggaran, baris 3, kolom Tahun" in out and "'2031'" in out
    assert dump_database(engine) == before


def test_the_lead_written_again_as_supporting_unit_is_a_row_error(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    before = dump_database(engine)
    book = write_workbook(
        tmp_path / "bad.xlsx",
        actions=[action("A.01", **{"PD Terkait": "BAPPEDA;DISKOMINFO"})],  # lead DISKOMINFO
        budget=[],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code == 2, result.output
    assert (
        "sheet Aksi, baris 2, kolom PD Terkait: PD penanggung jawab tidak ditulis lagi sebagai "
        "PD terkait (nilai: 'DISKOMINFO')"
    ) in result.output
    assert dump_database(engine) == before


def test_missing_column_unknown_stage_source_and_fraction_are_reported(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0
    before = dump_database(engine)
    book = write_workbook(
        tmp_path / "bad.xlsx",
        actions=[action("A.01.01")],
        budget=[["A.01.01", 2025, "PAGU", "APBN", 10.5, None]],
        budget_headers=["Kode Aksi", "Tahun", "Tahap", "Sumber Dana", "Jumlah", "PD"],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code != 0
    assert "kolom Tahap" in result.output and "'PAGU'" in result.output
    assert "kolom Sumber Dana" in result.output and "'APBN'" in result.output
    assert "kolom Jumlah" in result.output and "'10.5'" in result.output
    assert dump_database(engine) == before

    book = write_workbook(tmp_path / "nocol.xlsx", actions=[["A.09"]], action_headers=["Kode Aksi"])
    result = cli("plan", "import", str(book))
    assert result.exit_code != 0
    assert "kolom wajib 'Sasaran' tidak ada" in result.output
    assert dump_database(engine) == before


def test_a_missing_column_does_not_hide_the_other_errors(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    before = dump_database(engine)
    book = write_workbook(
        tmp_path / "two.xlsx",
        actions=[
            action("A.01"),
            action("A.02", **{"PD Penanggung Jawab": "DINAS-ANTAH"}),  # unknown unit code
            action("A.01"),  # duplicate Kode Aksi
        ],
        budget=[["A.01", 2025, "PAD", -5, None, None]],  # negative amount
        budget_headers=["Kode Aksi", "Tahun", "Sumber Dana", "Jumlah", "PD", "Keterangan"],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code != 0
    out = result.output
    assert "4 kesalahan" in out, out
    assert "sheet Anggaran, baris 1, kolom Tahap: kolom wajib 'Tahap' tidak ada" in out
    assert "sheet Aksi, baris 3, kolom PD Penanggung Jawab" in out and "DINAS-ANTAH" in out
    assert "sheet Aksi, baris 4, kolom Kode Aksi" in out and "ganda" in out
    assert "sheet Anggaran, baris 2, kolom Jumlah" in out and "'-5'" in out
    assert "wajib diisi" not in out  # the cells of the missing column are not each reported
    assert dump_database(engine) == before


def test_dry_run_reports_counts_but_writes_nothing(cli: Cli, engine: sa.Engine) -> None:
    _load_units(cli)
    before = dump_database(engine)
    result = cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "40 baru (created)" in result.output
    assert dump_database(engine) == before


def test_reimport_updates_changed_rows_only(cli: Cli, tmp_path: Path) -> None:
    _load_units(cli)
    first = write_workbook(
        tmp_path / "a.xlsx",
        actions=[action("A.01"), action("A.02")],
        budget=[["A.01", 2025, "USULAN", "PAD", 1000, None, None]],
    )
    assert cli("plan", "import", str(first)).exit_code == 0
    second = write_workbook(
        tmp_path / "b.xlsx",
        actions=[action("A.01", targets={2025: 2}), action("A.02"), action("A.03")],
        budget=[
            ["A.01", 2025, "USULAN", "PAD", 2000, None, None],
            ["A.01", 2025, "USULAN", "PAD", 5, "BAPPEDA", None],
        ],
    )
    result = cli("plan", "import", str(second))
    assert result.exit_code == 0, result.output
    assert (
        "Aksi          : 1 baru (created), 1 diubah (updated), 1 tetap (unchanged)" in result.output
    )
    assert (
        "Anggaran      : 1 baru (created), 1 diubah (updated), 0 tetap (unchanged)" in result.output
    )
    flags = json.loads(cli("flags", "--year", "2024", "--json").output)
    # A.01 has no target in 2024 any more: the re-import made it inactive that year
    assert "A.01" not in {r["action_code"] for r in flags}
    assert "tidak ada di berkas" not in result.output  # every stored line is in the file

    # a row left out is not deleted, and the import says so instead of staying silent
    third = write_workbook(
        tmp_path / "c.xlsx",
        actions=[action("A.01", targets={2025: 2}), action("A.02"), action("A.03")],
        budget=[["A.01", 2025, "USULAN", "PAD", 2000, None, None]],
    )
    result = cli("plan", "import", str(third), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Catatan: 1 baris anggaran di basis data tidak ada di berkas" in result.output


def test_a_second_plan_sits_beside_the_first(cli: Cli, tmp_path: Path) -> None:
    _load_units(cli)
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0
    book = tmp_path / "next.xlsx"

    workbook = xlsxwriter.Workbook(str(book))
    sheet = workbook.add_worksheet("Aksi")
    headers = [
        "Kode Aksi",
        "Sasaran",
        "Aksi",
        "Indikator",
        "Satuan",
        "Arah",
        *(f"Target {y}" for y in range(2027, 2032)),
        "PD Penanggung Jawab",
    ]
    sheet.write_row(0, 0, headers)
    sheet.write_row(
        1,
        0,
        [
            "B.01",
            "Sasaran baru",
            "Aksi baru",
            "Indikator",
            "Dokumen",
            "naik",
            1,
            1,
            1,
            1,
            1,
            "DISKOMINFO",
        ],
    )
    workbook.close()
    result = cli("plan", "import", str(book), "--plan", "RENAKSI-2027-2031")
    assert result.exit_code == 0, result.output
    assert "RENAKSI-2027-2031 (dibuat)" in result.output
    flags = json.loads(cli("flags", "--year", "2028", "--json").output)
    assert [r["action_code"] for r in flags] == ["B.01"]
    # several plans: choosing is required when the workbook does not match one period
    result = cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx"))
    assert result.exit_code == 0, result.output
    assert "RENAKSI-2022-2026 (sudah ada)" in result.output


def test_changing_the_lead_moves_lines_whose_pd_is_empty(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    """A new lead takes over the old lead's lines (empty PD): the money is not counted twice.
    A line that names its PD stays with that PD."""
    _load_units(cli)
    budget = [
        ["A.01", 2025, "USULAN", "PAD", 100, None, None],
        ["A.01", 2025, "DPA", "PAD", 60, None, None],
        ["A.01", 2025, "USULAN", "DAU", 7, "DINKES", None],
    ]
    kpi = [["A.01", "received", None, 1, 1, 1, 1, 1]]
    first = write_workbook(tmp_path / "a.xlsx", actions=[action("A.01")], budget=budget, kpi=kpi)
    assert cli("plan", "import", str(first)).exit_code == 0
    second = write_workbook(
        tmp_path / "b.xlsx", actions=[action("A.01", lead="BAPPEDA")], budget=budget, kpi=kpi
    )
    result = cli("plan", "import", str(second))
    assert result.exit_code == 0, result.output
    assert "Anggaran      : 0 baru (created), 2 diubah (updated), 1 tetap" in result.output
    assert "KPI           : 0 baru (created), 1 diubah (updated)" in result.output
    [row] = json.loads(cli("flags", "--year", "2025", "--json").output)
    assert (row["unit_code"], row["usulan"], row["pagu"]) == ("BAPPEDA", 107, 60)
    with engine.connect() as conn:
        units = conn.execute(
            sa.text(
                "SELECT u.code, b.stage, b.amount FROM budget_line b JOIN unit u ON u.id = b.unit_id"
                " ORDER BY b.amount"
            )
        ).all()
    assert [tuple(u) for u in units] == [
        ("DINKES", "USULAN", 7),
        ("BAPPEDA", "DPA", 60),
        ("BAPPEDA", "USULAN", 100),
    ]
    # importing the same file again changes nothing
    again = cli("plan", "import", str(second))
    assert "Anggaran      : 0 baru (created), 0 diubah (updated), 3 tetap" in again.output


def _actions_with_years(path: Path, headers: list[str]) -> Path:
    """One action whose Target columns are ``headers`` (each target 1)."""
    base = ["Kode Aksi", "Sasaran", "Aksi", "Indikator", "Satuan", "Arah"]
    row = ["A.01", "Sasaran", "Aksi A.01", "Indikator", "Dokumen", "naik"]
    return write_workbook(
        path,
        actions=[[*row, *(1 for _ in headers), "DISKOMINFO"]],
        action_headers=[*base, *headers, "PD Penanggung Jawab"],
    )


def test_target_headers_must_make_a_plausible_period(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    """On an empty database the Target columns make the plan's period: a typo must not."""
    _load_units(cli)
    before = dump_database(engine)
    typo = _actions_with_years(
        tmp_path / "typo.xlsx", ["Target 2022", "Target 2023", "Target 2205"]
    )
    result = cli("plan", "import", str(typo))
    assert result.exit_code != 0
    assert "sheet Aksi, baris 1, kolom Target 2205: tahun target harus 2000–2100" in result.output

    gap = _actions_with_years(
        tmp_path / "gap.xlsx", ["Target 2022", "Target 2023", "Target 2025", "Target 2026"]
    )
    result = cli("plan", "import", str(gap))
    assert result.exit_code != 0
    assert "kolom Target 2025: kolom target harus berurutan; tidak ada kolom 'Target 2024'" in (
        result.output
    )

    long = _actions_with_years(tmp_path / "long.xlsx", [f"Target {y}" for y in range(2022, 2034)])
    result = cli("plan", "import", str(long))
    assert result.exit_code != 0
    assert "kolom Target 2033: periode rencana aksi 2022–2033 lebih dari 10 tahun" in result.output

    odd = _actions_with_years(
        tmp_path / "odd.xlsx", ["Target 2022", "Target 2023", "Target Thn 2024"]
    )
    result = cli("plan", "import", str(odd))
    assert result.exit_code != 0
    assert "kolom Target Thn 2024: judul kolom target harus berbentuk 'Target YYYY'" in (
        result.output
    )
    assert dump_database(engine) == before


def test_labels_as_people_write_them_and_an_emptied_sheet_are_accepted(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    book = write_workbook(
        tmp_path / "labels.xlsx",
        actions=[action("A.01")],
        budget=[
            ["A.01", 2025, "Usulan", "DAK Non-Fisik", "Rp 1.500.000,00", None, None],
            ["A.01", 2025, "usulan", "DAK Fisik", "2.500", None, None],
            ["A.01", 2025, "USULAN", "Insentif Fiskal", 1000, None, None],
            ["A.01", 2025, "USULAN", "non-apbd", 1000, None, None],
        ],
    )
    result = cli("plan", "import", str(book))
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        lines = conn.execute(sa.text("SELECT source, amount FROM budget_line")).all()
    assert sorted(tuple(x) for x in lines) == [
        ("DAK_FISIK", 2500),
        ("DAK_NONFISIK", 1_500_000),
        ("INSENTIF_FISKAL", 1000),
        ("NON_APBD", 1000),
    ]
    # an Anggaran sheet whose every cell was deleted (not even a header row) is no sheet
    emptied = tmp_path / "emptied.xlsx"
    workbook = xlsxwriter.Workbook(str(emptied))
    sheet = workbook.add_worksheet("Aksi")
    sheet.write_row(0, 0, ACTION_HEADERS)
    sheet.write_row(1, 0, [v if v is not None else "" for v in action("A.01")])
    workbook.add_worksheet("Anggaran")
    workbook.close()
    result = cli("plan", "import", str(emptied))
    assert result.exit_code == 0, result.output
    assert "Anggaran      : 0 baru (created), 0 diubah (updated), 0 tetap" in result.output


def test_a_workbook_for_another_period_suggests_plan(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _load_units(cli)
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0
    book = _actions_with_years(tmp_path / "next.xlsx", [f"Target {y}" for y in range(2027, 2032)])
    result = cli("plan", "import", str(book))
    assert result.exit_code != 0
    assert "kolom Target 2027: tahun di luar periode 2022–2026 (RENAKSI-2022-2026)" in result.output
    assert "pakai --plan, mis. --plan RENAKSI-2027-2031" in result.output
