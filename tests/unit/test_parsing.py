"""Cell parsing and code normalisation used by every importer."""

import pytest

from renaksi.formatting import rupiah
from renaksi.plan.service import normalise_sub_kegiatan
from renaksi.tabular import header_key, parse_number, parse_rupiah


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1500000", 1500000),
        ("1500000.0", 1500000),
        ("Rp 1.500.000", 1500000),
        ("1.500.000", 1500000),
        ("0", 0),
        ("1500000,00", 1500000),
        ("Rp 1.500.000,00", 1500000),
        ("1.500.000,00", 1500000),
        ("Rp 1.125", 1125),
        ("2.500", 2500),
        ("1.125", 1125),  # Rupiah has no decimals: dotted groups are thousands
        ("12.345", 12345),
    ],
)
def test_rupiah_accepts_what_people_type(text: str, value: int) -> None:
    assert parse_rupiah(text) == value


@pytest.mark.parametrize("text", ["-5", "12.5", "satu juta", "1,5", "", "12.34", "0.500"])
def test_rupiah_refuses_negative_fractional_and_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_numbers_accept_decimal_comma() -> None:
    assert parse_number("75,5") == 75.5
    assert parse_number("75.5") == 75.5


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.000", 1000),  # Indonesian thousands, as parse_rupiah reads them
        ("2.500", 2500),
        ("1.500.000", 1_500_000),
        ("1.000,5", 1000.5),
        ("2,5", 2.5),
        ("1,000", 1.0),  # decimal comma
        ("1.5", 1.5),  # what a number cell holding 1.5 reads as
        ("33.333", 33.333),  # a number cell's decimals never end in 0: not thousands
        ("0.125", 0.125),
        ("0.3", 0.3),
        ("1000", 1000),
    ],
)
def test_numbers_read_indonesian_thousands_like_rupiah(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_dotted_thousands_mean_the_same_in_numbers_and_rupiah() -> None:
    for text in ("1.000", "2.500", "1.500.000"):
        assert parse_number(text) == parse_rupiah(text)


def test_sub_kegiatan_two_digit_form_is_zero_padded() -> None:
    assert normalise_sub_kegiatan("2.16.02.2.01.02") == "2.16.02.2.01.0002"
    assert normalise_sub_kegiatan("2.16.02.2.01.0002") == "2.16.02.2.01.0002"
    with pytest.raises(ValueError):
        normalise_sub_kegiatan("2.16.2.2.01.0002")


def test_headers_match_case_and_space_insensitively() -> None:
    assert header_key("  kode   AKSI ") == header_key("KodeAksi")


def test_rupiah_display() -> None:
    assert rupiah(1234567) == "Rp 1.234.567"
