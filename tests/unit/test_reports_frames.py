"""Report frames: selection and labelling over what the flag and KPI rules computed."""

import datetime as dt

import polars as pl

from renaksi.budget.flags import LINES_SCHEMA, TARGETS_SCHEMA, compute_flags
from renaksi.formatting import long_date, quarter_name
from renaksi.lapor.kpi import KPI_SCHEMA, Period, missed_targets
from renaksi.reports import frames
from renaksi.reports.queries import previous_quarters
from renaksi.reports.rows import column_lines
from renaksi.reports.styles import safe_filename, text_lines

ACTIONS = pl.DataFrame(
    [(1, "A.01", "Aksi satu", "DISKOMINFO"), (2, "A.02", "Aksi dua", "BAPPEDA")],
    schema={
        "action_id": pl.Int64,
        "action_code": pl.String,
        "title": pl.String,
        "unit_code": pl.String,
    },
    orient="row",
)


def test_funding_matrix_labels_every_action_year() -> None:
    flags = compute_flags(
        targets=pl.DataFrame(
            [(1, 2022), (1, 2023), (1, 2024), (2, 2023)], schema=TARGETS_SCHEMA, orient="row"
        ),
        lines=pl.DataFrame(
            [
                (1, 2022, "USULAN", "PAD", 100),
                (1, 2022, "DPA", "PAD", 100),  # funded
                (1, 2023, "USULAN", "PAD", 100),
                (1, 2023, "DPA", "PAD", 40),  # partly funded
                (1, 2024, "USULAN", "PAD", 100),  # unfunded
                (2, 2024, "DPA", "PAD", 50),  # budget but no target: not active
                (2, 2023, "DPA", "NON_APBD", 50),  # donor money is no pagu: unfunded
            ],
            schema=LINES_SCHEMA,
            orient="row",
        ),
    )
    matrix = frames.funding_matrix(flags, ACTIONS, [2022, 2023, 2024, 2025])
    assert matrix.columns == ["action_code", "title", "unit_code", "2022", "2023", "2024", "2025"]
    rows = {r["action_code"]: r for r in matrix.to_dicts()}
    assert [rows["A.01"][str(y)] for y in (2022, 2023, 2024, 2025)] == [
        "DIDANAI",
        "SEBAGIAN",
        "TIDAK_DIDANAI",
        "TIDAK_AKTIF",
    ]
    assert [rows["A.02"][str(y)] for y in (2022, 2023, 2024)] == [
        "TIDAK_AKTIF",
        "TIDAK_DIDANAI",
        "TIDAK_AKTIF",
    ]
    # sorted by unit, then action code
    assert matrix["action_code"].to_list() == ["A.02", "A.01"]
    # a unit without actions: an empty matrix, same columns
    empty = frames.funding_matrix(flags, ACTIONS.clear(), [2022, 2023])
    assert empty.columns == ["action_code", "title", "unit_code", "2022", "2023"]
    assert empty.is_empty()


def _kpis(rows: list[tuple[str | None, int, float | None, float | None]]) -> pl.DataFrame:
    """unit, received, pct_response_on_time, median_response_workdays; other KPIs empty."""
    data = []
    for unit, received, pct, median in rows:
        row = dict.fromkeys(KPI_SCHEMA)
        row.update(
            unit_code=unit,
            period="2025-Q2",
            received=received,
            pct_response_on_time=pct,
            median_response_workdays=median,
        )
        data.append(row)
    return pl.DataFrame(data, schema=KPI_SCHEMA)


LINKS_SCHEMA = {
    "action_id": pl.Int64,
    "year": pl.Int64,
    "kpi": pl.String,
    "unit_code": pl.String,
    "target": pl.Float64,
}


def test_priority_rows_show_each_linked_kpi_with_value_target_and_verdict() -> None:
    links = pl.DataFrame(
        [
            (1, 2025, "pct_response_on_time", "DINKES", 80.0),  # 70 < 80: missed
            (1, 2025, "median_response_workdays", "DINKES", 5.0),  # 3 <= 5: met
            (1, 2025, "pct_response_on_time", "PUPR", 80.0),  # no complaints: no verdict
            (2, 2025, "pct_response_on_time", "DINKES", 60.0),
        ],
        schema=LINKS_SCHEMA,
        orient="row",
    )
    kpis = _kpis([("DINKES", 10, 70.0, 3.0), ("PUPR", 0, None, None), (None, 10, 70.0, 3.0)])
    flags = pl.DataFrame(
        [
            (1, 2025, "A.01", "Aksi satu", "DISKOMINFO", 100, 0, 100, ["PRIORITAS", "TANPA_PAGU"]),
            (2, 2025, "A.02", "Aksi dua", "BAPPEDA", 100, 100, 0, []),
        ],
        schema={
            "action_id": pl.Int64,
            "year": pl.Int64,
            "action_code": pl.String,
            "title": pl.String,
            "unit_code": pl.String,
            "usulan": pl.Int64,
            "pagu": pl.Int64,
            "gap": pl.Int64,
            "flags": pl.List(pl.String),
        },
        orient="row",
    )
    rows = frames.priority_rows(
        flags, links=links, kpis=kpis, missed=missed_targets(kpis, links)
    ).to_dicts()
    assert [(r["action_code"], r["kpi"], r["kpi_unit"]) for r in rows] == [
        ("A.01", "median_response_workdays", "DINKES"),
        ("A.01", "pct_response_on_time", "DINKES"),
        ("A.01", "pct_response_on_time", "PUPR"),
    ]
    assert [(r["value"], r["target"], r["missed"]) for r in rows] == [
        (3.0, 5.0, False),
        (70.0, 80.0, True),
        (None, 80.0, None),
    ]
    assert rows[0]["gap"] == 100


def test_strictest_target_follows_the_kpi_direction() -> None:
    links = pl.DataFrame(
        [
            (1, 2025, "pct_followed_up", "DINKES", 70.0),
            (2, 2025, "pct_followed_up", "DINKES", 85.0),
            (1, 2025, "median_response_workdays", "DINKES", 5.0),
            (2, 2025, "median_response_workdays", "DINKES", 3.0),
        ],
        schema=LINKS_SCHEMA,
        orient="row",
    )
    targets = {(u, k): t for u, k, t in frames.strictest_targets(links).iter_rows()}
    assert targets == {
        ("DINKES", "pct_followed_up"): 85.0,
        ("DINKES", "median_response_workdays"): 3.0,
    }


def test_report_units_keep_units_with_complaints_targets_or_actions_then_the_total() -> None:
    kpis = _kpis(
        [
            ("BAPPEDA", 0, None, None),
            ("DINKES", 4, 50.0, 2.0),
            ("PUPR", 0, None, None),
            (None, 4, 50.0, 2.0),
        ]
    )
    targets = pl.DataFrame(
        [("PUPR", "pct_followed_up", 80.0)],
        schema={"unit_code": pl.String, "kpi": pl.String, "target": pl.Float64},
        orient="row",
    )
    shown = frames.report_units(kpis, targets)
    assert shown["unit_code"].to_list() == ["DINKES", "PUPR", None]
    # a unit with an active action this year is shown even without complaints or target
    shown = frames.report_units(kpis, targets, ["BAPPEDA", "DINKES"])
    assert shown["unit_code"].to_list() == ["BAPPEDA", "DINKES", "PUPR", None]


def test_reporting_gaps_list_units_with_an_unreported_active_action() -> None:
    active = ACTIONS.select("action_id", "action_code", "unit_code").vstack(
        pl.DataFrame(
            [(3, "A.03", "DISKOMINFO")],
            schema={"action_id": pl.Int64, "action_code": pl.String, "unit_code": pl.String},
            orient="row",
        )
    )
    reported = pl.DataFrame({"action_id": [1, 2]}, schema={"action_id": pl.Int64})
    gaps = frames.reporting_gaps(active, reported).to_dicts()
    assert gaps == [
        {
            "unit_code": "DISKOMINFO",
            "active_actions": 2,
            "reported": 1,
            "missing": 1,
            "missing_codes": "A.03",
        }
    ]


def test_labels_and_names() -> None:
    assert frames.flag_text(["KURANG_PAGU", "PRIORITAS"]) == (
        "Prioritas pendanaan; Pagu kurang dari usulan"
    )
    assert frames.flag_text([]) == "Tanpa flag"
    assert frames.flag_codes(["TANPA_PAGU", "BELUM_USULAN", "PRIORITAS"]) == (
        "PRIORITAS, TANPA_PAGU, BELUM_USULAN"
    )
    assert frames.kpi_cell("pct_resolved", 75.0) == 0.75
    assert frames.kpi_cell("median_response_workdays", 2.5) == 2.5
    assert frames.kpi_cell("received", None) is None
    assert long_date(dt.date(2024, 12, 31)) == "31 Desember 2024"
    assert quarter_name(2024, 3) == "Triwulan III 2024"
    assert (
        safe_filename("selisih-anggaran", 2025, "Dinas Kominfo/..", "per", dt.date(2025, 6, 30))
        == "selisih-anggaran-2025-dinas-kominfo-per-2025-06-30.xlsx"
    )
    assert [p.label for p in previous_quarters(Period(2024, 2))] == [
        "2023-Q3",
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
    ]
    assert text_lines("short", 10) == 1
    assert text_lines("a b c d e f g h i j k l m n", 5) > 1


def test_text_lines_counts_what_textwrap_makes() -> None:
    """The shortcuts for plain text (in Python, and vectorised over a column) give textwrap's
    count, and the rest goes to textwrap."""
    import random
    import textwrap

    def reference(text: str, width: float) -> int:
        chars = max(int(width * 1.15), 1)
        return sum(max(len(textwrap.wrap(part, chars)), 1) for part in text.split("\n"))

    pieces = ["a", "kata", "percepatan", "x" * 30, "tindak-lanjut", "--", "-", "=1+1", "12345"]
    pieces += [" ", "  ", "\t", "\n", "\r", "\xa0", "\u2003", "\x1c", "\x1f", "\u200b", "é", "🙂"]
    rng = random.Random(7)
    texts = ["", " ", "\n", "Aksi nomor 12345 untuk percepatan tindak lanjut pengaduan"]
    for _ in range(3000):
        words = rng.choices(pieces, k=rng.randrange(1, 25))
        texts.append(rng.choice([" ", ""]).join(words))
    for width in (1, 3, 7, 11, 30, 48):
        expected = [reference(text, width) for text in texts]
        assert [text_lines(text, width) for text in texts] == expected, width
        column = pl.Series([*texts, None], dtype=pl.String())
        assert column_lines(column, width).to_list() == [*expected, 1], width


def test_flag_labels_are_flag_text_and_codes_of_each_list() -> None:
    lists = [
        ["KURANG_PAGU", "PRIORITAS"],
        [],
        ["PRIORITAS", "KURANG_PAGU"],
        ["TANPA_PAGU", "BELUM_USULAN"],
        ["TANPA_PAGU"],
    ]
    labels = frames.flag_labels(pl.Series(lists, dtype=pl.List(pl.String())))
    assert labels["flag_text"].to_list() == [frames.flag_text(x) for x in lists]
    assert labels["flag_codes"].to_list() == [frames.flag_codes(x) for x in lists]
    assert labels["flag_codes"].to_list()[:3] == [
        "PRIORITAS, KURANG_PAGU",
        "",
        "PRIORITAS, KURANG_PAGU",
    ]
    empty = frames.flag_labels(pl.Series([], dtype=pl.List(pl.String())))
    assert empty.columns == ["flag_text", "flag_codes"] and empty.is_empty()
