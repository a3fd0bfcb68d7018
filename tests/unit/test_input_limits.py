"""Limits on what users type, and validation messages put into the user's language."""

from collections.abc import Callable

import pytest

from renaksi.errors import request_errors, translate
from renaksi.schemas import MAX_RUPIAH
from renaksi.tabular import parse_int, parse_number, parse_rupiah


@pytest.mark.parametrize("parse", [parse_rupiah, parse_number, parse_int])
def test_numbers_too_large_for_a_float_are_refused_not_infinite(
    parse: Callable[[str], object],
) -> None:
    with pytest.raises(ValueError, match="terlalu besar"):
        parse("1e999")


def test_rupiah_above_the_api_limit_is_refused() -> None:
    assert parse_rupiah(str(MAX_RUPIAH)) == MAX_RUPIAH
    with pytest.raises(ValueError, match="terlalu besar"):
        parse_rupiah(str(MAX_RUPIAH + 1))
    with pytest.raises(ValueError, match="terlalu besar"):
        parse_rupiah("99999999999999999999999")


def test_long_integers_stay_exact() -> None:
    assert parse_int("2025") == 2025
    assert parse_int("12345678901234567890") == 12345678901234567890
    assert parse_int("2025.0") == 2025


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("Expected `int` <= 4", "nilai maksimal 4"),
        ("Expected `int` >= 2000 - at `$.targets[0].year`", "nilai minimal 2000"),
        ("Expected `int`, got `float`", "harus bilangan bulat, bukan angka desimal"),
        ("Expected `int | null`, got `str`", "harus bilangan bulat atau null, bukan teks"),
        ("Expected `str` of length <= 200", "panjang teks maksimal 200 karakter"),
        ("Expected `array` of length >= 1", "jumlah isian minimal 1"),
        ("Invalid enum value 'FOO'", "nilai 'FOO' tidak dikenal"),
        ("Object contains unknown field `bogus`", "isian tidak dikenal"),
        ("Object missing required field `code`", "isian wajib tidak ada"),
        ("JSON is malformed: invalid character (byte 0)", "JSON rusak, tidak dapat dibaca"),
        ("Number out of range - at `$[...]`", "angka di luar jangkauan"),
        ("'data'", "isi permintaan (JSON) kosong"),
        ("Something new", "Something new"),  # unknown text passes through
    ],
)
def test_validation_messages_are_translated(english: str, indonesian: str) -> None:
    assert translate(english) == indonesian


def test_request_errors_name_the_field() -> None:
    body = [{"message": "Object contains unknown field `kepala`", "key": "data", "source": "body"}]
    assert [(e.field, e.message) for e in request_errors("Validation failed", body)] == [
        ("kepala", "isian tidak dikenal")
    ]
    nested = [{"message": "Expected `int` >= 2000", "key": "targets[0].year", "source": "body"}]
    assert request_errors("Validation failed", nested)[0].field == "targets[0].year"
    missing = request_errors("Missing required query parameter 'year' for path /api/v1/flags", None)
    assert [(e.field, e.message) for e in missing] == [("year", "parameter wajib tidak ada")]


def test_date_errors_are_in_indonesian() -> None:
    assert translate("Invalid RFC3339 encoded date") == (
        "tanggal tidak valid; pakai format YYYY-MM-DD, mis. 2024-06-30"
    )
    assert translate("Expected `float` >= -1000000000000.0 - at `$.baseline`") == (
        "nilai minimal -1.000.000.000.000"
    )


def test_a_text_of_the_wrong_shape_is_told_what_shape_it_needs() -> None:
    """Not just "bentuk teks tidak valid": the rule, in words, for each pattern we use."""
    sub_kegiatan = translate(
        "Expected `str` matching regex "
        "'^\\\\d\\\\.\\\\d{2}\\\\.\\\\d{2}\\\\.\\\\d\\\\.\\\\d{2}\\\\.(\\\\d{2}|\\\\d{4})$'"
    )
    assert sub_kegiatan == (
        "bentuk tidak valid; kode sub kegiatan U.BB.PP.K.KK.SSSS, mis. 2.16.02.2.01.0002"
    )
    code = translate("Expected `str` matching regex '^[A-Za-z0-9][A-Za-z0-9.\\\\-_/]*$'")
    assert code.startswith("bentuk tidak valid; kode: 1–40 huruf, angka")
    assert translate("Expected `str` matching regex '^x$'") == "bentuk teks tidak valid"
