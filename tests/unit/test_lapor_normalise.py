"""LAPOR! rows → typed complaints: the cell-level rules of ``lapor/normalise.py``."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from renaksi.codes import ComplaintStatus
from renaksi.errors import ValidationError
from renaksi.lapor.normalise import (
    errors_to_fields,
    latest_year,
    load_labels,
    normalise,
    parse_moments,
)
from renaksi.lapor.read import read_export

HEADER = "No Tracking,Tanggal Laporan,Instansi Tujuan,Status,Tanggal Tindak Lanjut"


def check(*rows: str, last_year: int | None = None) -> tuple[list[str], list[str]]:
    """(stored tracking ids, error lines) for a small comma-separated export."""
    data = "\n".join([HEADER, *rows]).encode()
    complaints, errors = normalise(
        read_export(data, file_name="l.csv"), labels=load_labels(None), last_year=last_year
    )
    valid = complaints.join(errors.select("_row").unique(), on="_row", how="anti")
    return valid["tracking_id"].to_list(), [str(e) for e in errors_to_fields(errors)]


@pytest.mark.parametrize(
    ("submitted", "answered"),
    [
        ("05/04/24 14:30", ""),  # Excel's dd/mm/yy: year 24
        ("24-04-05", ""),  # yy-mm-dd
        ("05/04/0005", ""),
        ("05/04/3000 10:00", ""),
        ("31/12/1999 23:59", ""),
        ("05/04/2024 10:00", "06/04/24 10:00"),  # any date column, not only the submission
    ],
)
def test_absurd_years_are_listed_errors(submitted: str, answered: str) -> None:
    kept, errors = check(f"1,{submitted},DISKOMINFO,Proses,{answered}", last_year=2025)
    assert kept == []
    column = "Tanggal Tindak Lanjut" if answered else "Tanggal Laporan"
    assert len(errors) == 1, errors
    assert f"baris 2, kolom {column}: tahun tidak masuk akal (harus 2000–2025" in errors[0]


def test_years_from_2000_to_next_year_are_accepted() -> None:
    kept, errors = check(
        "1,01/01/2000 00:00,DISKOMINFO,Proses,",
        "2,31/12/2025 23:59,DISKOMINFO,Proses,",
        "3,01/01/2026 08:00,DISKOMINFO,Proses,",
        last_year=2025,
    )
    assert kept == ["1", "2"]
    assert [e.split(":")[0] for e in errors] == ["sheet LAPOR, baris 4, kolom Tanggal Laporan"]


def test_the_latest_plausible_year_is_next_year_in_wita() -> None:
    assert latest_year() == datetime.now(ZoneInfo("Asia/Makassar")).year + 1
    next_year = f"1,01/01/{latest_year()} 08:00,DISKOMINFO,Proses,"
    assert check(next_year) == (["1"], [])


def test_a_tracking_id_of_only_hash_is_empty() -> None:
    kept, errors = check(
        "#,05/04/2024,DISKOMINFO,Proses,",
        "# 77,05/04/2024,DISKOMINFO,Proses,",
        "#  ,05/04/2024,DISKOMINFO,Proses,",
        "#78,05/04/2024,DISKOMINFO,Proses,",
    )
    assert kept == ["77", "78"]
    assert errors == [
        "sheet LAPOR, baris 2, kolom No Tracking: nomor tracking kosong (nilai: '#')",
        "sheet LAPOR, baris 4, kolom No Tracking: nomor tracking kosong (nilai: '#')",
    ]


def test_a_status_label_file_adds_labels(tmp_path: Path) -> None:
    path = tmp_path / "label.csv"
    path.write_text("label,status\nsEDANG dIPROSES lAIN,proses\nTolak,bukan wewenang\n")
    labels = load_labels(path)
    assert labels["sedang diproses lain"] is ComplaintStatus.PROSES
    assert labels["tolak"] is ComplaintStatus.BUKAN_WEWENANG
    assert labels["selesai"] is ComplaintStatus.SELESAI  # the defaults stay


def test_a_bad_status_label_file_names_file_line_and_value(tmp_path: Path) -> None:
    path = tmp_path / "label.csv"
    path.write_text("label,status\nx,DIPROSES\n,PROSES\nbaik,SELESAI\n")
    with pytest.raises(ValidationError) as caught:
        load_labels(path)
    assert "label.csv" in caught.value.detail
    assert [(e.sheet, e.row, e.column, e.value) for e in caught.value.errors] == [
        ("label.csv", 2, "status", "DIPROSES"),
        ("label.csv", 3, "label", None),
    ]
    assert "status harus salah satu dari" in caught.value.errors[0].message

    path.write_text("nama,status\nx,PROSES\n")
    with pytest.raises(ValidationError) as caught:
        load_labels(path)
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (1, "label", "kolom tidak ada")
    ]

    with pytest.raises(ValidationError) as caught:
        load_labels(tmp_path / "tidak-ada.csv")
    assert "tidak dapat dibaca" in caught.value.errors[0].message


def test_a_disposition_or_verification_before_the_submission_is_a_row_error() -> None:
    """Compared by WITA day: exports often carry a date without a time (midnight) or minutes
    without seconds, so the same day is never "before" the submission."""
    header = (
        "No Tracking,Tanggal Laporan,Instansi Tujuan,Status,Tanggal Verifikasi,Tanggal Disposisi"
    )
    data = "\n".join(
        [
            header,
            "1,05/04/2024 10:00,DISKOMINFO,Terdisposisi,05/04/2024 11:00,04/04/2024 09:00",
            "2,05/04/2024 10:00,DISKOMINFO,Terdisposisi,04/04/2024 23:59,05/04/2024 11:00",
            "3,05/04/2024 10:00,DISKOMINFO,Terdisposisi,05/04/2024 10:00,05/04/2024 10:00",
            "4,05/04/2024 14:30,DISKOMINFO,Terdisposisi,05/04/2024,05/04/2024",  # date only
            "5,05/04/2024 14:30:15,DISKOMINFO,Terdisposisi,05/04/2024 09:59,05/04/2024 14:30",
        ]
    ).encode()
    _, errors = normalise(read_export(data, file_name="l.csv"), labels=load_labels(None))
    assert [str(e) for e in errors_to_fields(errors)] == [
        "sheet LAPOR, baris 2, kolom Tanggal Disposisi: tanggal disposisi sebelum tanggal "
        "laporan (nilai: '04/04/2024 09:00')",
        "sheet LAPOR, baris 3, kolom Tanggal Verifikasi: tanggal verifikasi sebelum tanggal "
        "laporan (nilai: '04/04/2024 23:59')",
    ]


def test_utc_z_suffix_and_dotted_times_are_read() -> None:
    values = pl.Series(
        [
            "2024-06-05T02:00:00Z",  # UTC
            "2024-06-05T02:00:00.5Z",
            "05/04/2024 14.30",  # WITA, Indonesian time separator
            "05-04-2024 14.30",
            "05/04/2024 14:30",
        ]
    )
    assert parse_moments(values).to_list() == [
        datetime(2024, 6, 5, 2, 0, tzinfo=UTC),
        datetime(2024, 6, 5, 2, 0, 0, 500_000, tzinfo=UTC),
        datetime(2024, 4, 5, 6, 30, tzinfo=UTC),
        datetime(2024, 4, 5, 6, 30, tzinfo=UTC),
        datetime(2024, 4, 5, 6, 30, tzinfo=UTC),
    ]
    assert parse_moments(pl.Series(["2024-06-05T02:00:00X", "Z"])).to_list() == [None, None]


@pytest.mark.parametrize(
    "row",
    [
        "3,06/04/2024 09:00,DISKOMINFO,Proses,07/04/2024,sudah diperbaiki",  # after the last
        "3,06/04/2024 09:00,DINAS PUPR,KOTA,Proses,07/04/2024",  # a text cut mid-row
    ],
)
def test_a_row_with_more_fields_than_the_header_is_refused_with_its_row(row: str) -> None:
    """An unquoted separator inside a text must not silently cut or shift the row's values."""
    data = "\n".join(
        [HEADER, "1,05/04/2024 10:00,DISKOMINFO,Proses,", "2,05/04/2024,X,Proses,", row]
    )
    with pytest.raises(ValidationError) as caught:
        read_export(data.encode(), file_name="l.csv")
    [error] = caught.value.errors
    assert (error.sheet, error.row) == ("LAPOR", 4)
    assert error.message.startswith("baris berisi 6 kolom, padahal judul hanya 5")
