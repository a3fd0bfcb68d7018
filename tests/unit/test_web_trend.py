"""The KPI sparkline's geometry on *Detail aksi* (pure: no database)."""

from renaksi.lapor.kpi import Period
from renaksi.web.trend import HEIGHT, PAD_BOTTOM, WIDTH, Point, sparkline


def _points(*pairs: tuple[float | None, float | None]) -> list[Point]:
    return [Point(Period(2024, i + 1), v, t, "") for i, (v, t) in enumerate(pairs)]


def test_percentages_sit_on_a_0_to_100_scale_left_to_right() -> None:
    chart = sparkline(_points((100.0, 80.0), (0.0, 80.0), (50.0, None)), percent=True)
    xs = [m["x"] for m in chart["marks"]]
    assert xs == sorted(xs) and xs[0] > 0 and xs[-1] < WIDTH
    full, empty, half = (m["y"] for m in chart["marks"])
    assert empty == HEIGHT - PAD_BOTTOM and full < half < empty
    assert half == (full + empty) / 2
    assert len(chart["value_line"].split()) == 3
    assert len(chart["target_line"].split()) == 2  # no target for the third quarter
    assert [m["label"] for m in chart["marks"]] == ["I/24", "II/24", "III/24"]


def test_counts_scale_to_the_largest_value_or_target_and_gaps_are_skipped() -> None:
    chart = sparkline(_points((None, 4.0), (2.0, None)), percent=False)
    first, second = chart["marks"]
    assert first["y"] is None and second["ty"] is None
    assert first["ty"] < second["y"]  # 4 (target) is drawn higher than 2
    assert chart["value_line"] == f"{second['x']},{second['y']}"


def test_one_quarter_is_drawn_in_the_middle() -> None:
    (mark,) = sparkline(_points((75.0, 75.0)), percent=True)["marks"]
    assert mark["x"] == WIDTH / 2 and mark["y"] == mark["ty"]
