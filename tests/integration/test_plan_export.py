"""The exported plan workbook as a user opens it: the sheet it opens on, the hidden lists,
and the dropdowns (read back with openpyxl, not compared as bytes)."""

from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy.orm import Session

from renaksi.codes import Direction, KpiName, Source, Stage
from renaksi.plan.exporter import write_plan


def _validations(sheet: Any) -> dict[str, Any]:
    """First column letter of each validation range → the validation."""
    found: dict[str, Any] = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = rule
    return found


def _covers(rule: Any, column: str, last_row: int) -> None:
    coords = [r.coord for r in rule.sqref.ranges]
    assert coords == [f"{column}2:{column}{last_row}"], coords


def test_export_opens_on_aksi_with_the_lists_hidden_and_every_dropdown(
    demo_loaded: Session, tmp_path: Path
) -> None:
    path = write_plan(demo_loaded, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Aksi", "Anggaran", "KPI", "Daftar"]
    assert book.active is not None and book.active.title == "Aksi"
    assert book["Daftar"].sheet_state == "hidden"
    for name in ("Aksi", "Anggaran", "KPI"):
        assert book[name].sheet_state == "visible"

    lists = book["Daftar"]
    columns = {
        lists.cell(1, c).value: [
            lists.cell(r, c).value for r in range(2, lists.max_row + 1) if lists.cell(r, c).value
        ]
        for c in range(1, lists.max_column + 1)
    }
    assert columns["arah"] == [d.value for d in Direction]
    assert columns["tahap"] == [s.value for s in Stage]
    assert columns["sumber"] == [s.value for s in Source]
    assert columns["kpi"] == [k.value for k in KpiName]
    assert "DISKOMINFO" in columns["pd"] and "BAPPEDA" in columns["pd"]
    pd_range = f"Daftar!$E$2:$E${len(columns['pd']) + 1}"

    last = 10_001  # dropdowns reach well below the data, for rows a user adds
    aksi = _validations(book["Aksi"])
    headers = [c.value for c in book["Aksi"][1]]
    assert headers[5] == "Arah" and headers[12] == "PD Penanggung Jawab"
    assert set(aksi) == {"F", "M"}
    assert aksi["F"].type == "list" and aksi["F"].formula1 == "Daftar!$A$2:$A$3"
    assert aksi["M"].type == "list" and aksi["M"].formula1 == pd_range
    _covers(aksi["F"], "F", last)
    _covers(aksi["M"], "M", last)

    budget = _validations(book["Anggaran"])
    assert [c.value for c in book["Anggaran"][1]][:6] == [
        "Kode Aksi",
        "Tahun",
        "Tahap",
        "Sumber Dana",
        "Jumlah",
        "PD",
    ]
    assert set(budget) == {"B", "C", "D", "E", "F"}
    year = budget["B"]
    assert (year.type, year.formula1, year.formula2) == ("whole", "2022", "2026")
    assert year.operator in (None, "between")  # "between" is the default, often left out
    assert budget["C"].formula1 == "Daftar!$B$2:$B$5"
    assert budget["D"].formula1 == f"Daftar!$C$2:$C${len(Source) + 1}"
    amount = budget["E"]
    assert (amount.type, amount.operator, amount.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert budget["F"].formula1 == pd_range
    for column in "BCDEF":
        _covers(budget[column], column, last)

    kpi = _validations(book["KPI"])
    assert set(kpi) == {"B", "C"}
    assert kpi["B"].formula1 == f"Daftar!$D$2:$D${len(KpiName) + 1}"
    assert kpi["C"].formula1 == pd_range
    _covers(kpi["B"], "B", last)
