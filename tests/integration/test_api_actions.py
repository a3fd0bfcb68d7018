"""Actions of the plan and their quarterly progress reports over HTTP, on the Kutai Timur demo."""

from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tests.helpers import dump_database
from tests.integration.conftest import Shared
from tests.integration.shapes import assert_error, current, field_error

ACTIONS = "/api/v1/actions"
Client = TestClient[Any]


def all_actions(api: Client, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"{ACTIONS}?per_page=500&{query}")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    items: list[dict[str, Any]] = page["items"]
    return items


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [a["code"] for a in items]


def new_action_body(code: str, **over: Any) -> dict[str, Any]:
    return {
        "code": code,
        "objective": "Meningkatnya kepatuhan tindak lanjut pengaduan",
        "title": f"Aksi uji {code}",
        "indicator": "Jumlah dokumen",
        "measure_unit": "Dokumen",
        "lead_unit": "DISKOMINFO",
        "targets": [{"year": 2025, "value": 1}],
        **over,
    }


def new_action(api: Client, code: str, **over: Any) -> dict[str, Any]:
    response = api.post(ACTIONS, json=new_action_body(code, **over))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def report(api: Client, action_id: int, year: int, quarter: int, status: str, **over: Any) -> Any:
    body = {"year": year, "quarter": quarter, "status": status}
    response = api.post(f"{ACTIONS}/{action_id}/progress", json={**body, **over})
    assert response.status_code == 201, response.text
    return response.json()


# --- listing and filters -----------------------------------------------------------------


def test_list_and_get(shared_demo: Shared) -> None:
    api = shared_demo.client
    items = all_actions(api)
    assert len(items) == 40
    first = items[0]
    assert api.get(f"{ACTIONS}/{first['id']}").json() == first
    assert first["plan"] == "RENAKSI-2022-2026"
    assert first["status"] is None and first["progress_pct"] is None  # no report yet


def test_unit_filter_matches_lead_or_supporting_unit(shared_demo: Shared) -> None:
    api = shared_demo.client
    items = all_actions(api)
    for unit in ("BAG-ORG", "INSPEKTORAT", "BKPSDM"):
        as_lead = {a["code"] for a in items if a["lead_unit"] == unit}
        as_support = {a["code"] for a in items if unit in a["supporting_units"]}
        filtered = codes(all_actions(api, f"unit={unit}"))
        assert set(filtered) == as_lead | as_support, unit
        assert len(filtered) == len(set(filtered))  # an action listed once
    # the seed has units that lead some actions and support others
    assert {a["code"] for a in items if a["lead_unit"] == "BAG-ORG"}
    assert {a["code"] for a in items if "BAG-ORG" in a["supporting_units"]}


def test_unknown_unit_filter_is_not_found(shared_demo: Shared) -> None:
    api = shared_demo.client
    body = assert_error(api.get(f"{ACTIONS}?unit=DINAS-ANTAH"), 404)
    assert "DINAS-ANTAH" in body["detail"]


@pytest.mark.parametrize("year", [2022, 2025, 2026])
def test_year_filter_keeps_actions_with_a_target_that_year(shared_demo: Shared, year: int) -> None:
    api = shared_demo.client
    items = all_actions(api)
    expected = [a["code"] for a in items if year in {t["year"] for t in a["targets"]}]
    assert codes(all_actions(api, f"year={year}")) == expected
    assert 0 < len(expected) < len(items)


def test_search_is_case_insensitive_over_code_title_and_indicator(shared_demo: Shared) -> None:
    api = shared_demo.client
    items = all_actions(api)
    for term in ("PENGADUAN", "a.01", "Survei", "%", "_"):
        needle = term.lower()
        expected = [
            a["code"]
            for a in items
            if any(needle in a[f].lower() for f in ("code", "title", "indicator"))
        ]
        assert codes(all_actions(api, f"q={term}")) == expected, term
    assert all_actions(api, "q=pengaduan")
    # '%' and '_' are text, not wildcards
    assert len(all_actions(api, "q=%25")) < len(items)
    assert len(all_actions(api, "q=_")) < len(items)


def test_pagination_walks_every_action_once(shared_demo: Shared) -> None:
    api = shared_demo.client
    everything = codes(all_actions(api))
    seen: list[str] = []
    for page in range(1, 7):
        response = api.get(f"{ACTIONS}?per_page=7&page={page}")
        body = response.json()
        assert (body["total"], body["page"], body["per_page"]) == (40, page, 7)
        assert len(body["items"]) == (7 if page < 6 else 5)
        seen += codes(body["items"])
    assert seen == everything
    beyond = api.get(f"{ACTIONS}?per_page=7&page=7").json()
    assert beyond["items"] == [] and beyond["total"] == 40
    filtered = api.get(f"{ACTIONS}?unit=DISKOMINFO&per_page=3").json()
    assert filtered["total"] == len(all_actions(api, "unit=DISKOMINFO"))
    assert len(filtered["items"]) == 3


def test_status_filter_uses_the_latest_report(api: Client, demo: sa.Engine) -> None:
    first, second, third = all_actions(api)[:3]
    report(api, first["id"], 2024, 4, "SELESAI", progress_pct=100)
    report(api, first["id"], 2025, 1, "BERJALAN", progress_pct=10)  # later period wins
    report(api, second["id"], 2025, 2, "SELESAI", progress_pct=100)
    report(api, second["id"], 2024, 3, "BERJALAN")  # entered late, earlier period
    report(api, third["id"], 2025, 1, "BELUM_MULAI")

    assert codes(all_actions(api, "status=BERJALAN")) == [first["code"]]
    assert codes(all_actions(api, "status=SELESAI")) == [second["code"]]
    not_started = codes(all_actions(api, "status=BELUM_MULAI"))
    # no report at all counts as not started
    assert len(not_started) == 38
    assert third["code"] in not_started
    assert first["code"] not in not_started and second["code"] not in not_started
    assert all_actions(api, "status=DIBATALKAN") == []

    assert api.get(f"{ACTIONS}/{first['id']}").json()["status"] == "BERJALAN"
    assert api.get(f"{ACTIONS}/{first['id']}").json()["progress_pct"] == 10


def test_flag_filter_agrees_with_the_flags_list(shared_demo: Shared) -> None:
    api = shared_demo.client
    for flag in ("TANPA_PAGU", "BELUM_USULAN"):
        flagged = api.get(f"/api/v1/flags?year=2025&flag={flag}").json()
        expected = sorted(r["action_code"] for r in flagged)
        assert expected, flag
        assert sorted(codes(all_actions(api, f"year=2025&flag={flag}"))) == expected


def test_flag_filter_needs_a_year(shared_demo: Shared) -> None:
    api = shared_demo.client
    body = assert_error(api.get(f"{ACTIONS}?flag=TANPA_PAGU"), 422, field="year")
    assert "tahun" in body["detail"]


def test_filters_combine(shared_demo: Shared) -> None:
    api = shared_demo.client
    items = all_actions(api)
    expected = [
        a["code"]
        for a in items
        if 2022 in {t["year"] for t in a["targets"]}
        and (a["lead_unit"] == "DISKOMINFO" or "DISKOMINFO" in a["supporting_units"])
    ]
    assert codes(all_actions(api, "year=2022&unit=DISKOMINFO")) == expected


# --- create ------------------------------------------------------------------------------


def test_create_action(api: Client, demo: sa.Engine) -> None:
    created = new_action(
        api,
        "A.09.01",
        targets=[{"year": 2026, "value": 4}, {"year": 2024, "value": 2}],
        supporting_units=["BAPPEDA", "BAG-ORG"],
        sub_kegiatan_code="2.16.02.2.01.02",
        direction="turun",
        baseline=7.5,
        note="Catatan",
    )
    assert created["targets"] == [{"year": 2024, "value": 2.0}, {"year": 2026, "value": 4.0}]
    assert created["supporting_units"] == ["BAG-ORG", "BAPPEDA"]
    assert created["sub_kegiatan_code"] == "2.16.02.2.01.0002"  # stored zero-padded
    assert created["direction"] == "turun" and created["baseline"] == 7.5
    assert created["plan"] == "RENAKSI-2022-2026"
    assert created["version"] == 1 and created["status"] is None
    assert api.get(f"{ACTIONS}/{created['id']}").json() == created
    assert "A.09.01" in codes(all_actions(api, "year=2024"))
    assert "A.09.01" not in codes(all_actions(api, "year=2025"))


def test_create_refuses_targets_outside_the_plan_period(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    response = api.post(
        ACTIONS,
        json={
            "code": "A.09.02",
            "objective": "Sasaran",
            "title": "Aksi",
            "indicator": "Indikator",
            "measure_unit": "Dokumen",
            "lead_unit": "DISKOMINFO",
            "targets": [{"year": 2025, "value": 1}, {"year": 2027, "value": 1}],
        },
    )
    body = assert_error(response, 422, field="targets")
    assert field_error(body, "targets")["value"] == "2027"
    assert "2022" in body["detail"] and "2026" in body["detail"]
    assert dump_database(engine) == before


def test_create_refuses_unknown_units(api: Client, demo: sa.Engine, engine: sa.Engine) -> None:
    before = dump_database(engine)
    base = {
        "code": "A.09.03",
        "objective": "Sasaran",
        "title": "Aksi",
        "indicator": "Indikator",
        "measure_unit": "Dokumen",
        "lead_unit": "DISKOMINFO",
    }
    lead = api.post(ACTIONS, json={**base, "lead_unit": "DINAS-ANTAH"})
    assert field_error(assert_error(lead, 422, field="lead_unit"), "lead_unit")["value"] == (
        "DINAS-ANTAH"
    )
    support = api.post(ACTIONS, json={**base, "supporting_units": ["BAPPEDA", "BADAN-ANTAH"]})
    assert field_error(assert_error(support, 422, field="supporting_units"), "supporting_units")[
        "value"
    ] == ("BADAN-ANTAH")
    assert dump_database(engine) == before


def test_create_with_an_existing_code_is_a_conflict(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    existing = all_actions(api)[0]["code"]
    before = dump_database(engine)
    response = api.post(
        ACTIONS,
        json={
            "code": existing,
            "objective": "Sasaran",
            "title": "Aksi",
            "indicator": "Indikator",
            "measure_unit": "Dokumen",
            "lead_unit": "DISKOMINFO",
        },
    )
    body = assert_error(response, 409, field="code")
    assert existing in body["detail"]
    assert dump_database(engine) == before


def test_create_refuses_malformed_values(api: Client, demo: sa.Engine, engine: sa.Engine) -> None:
    before = dump_database(engine)
    base = {
        "code": "A.09.04",
        "objective": "Sasaran",
        "title": "Aksi",
        "indicator": "Indikator",
        "measure_unit": "Dokumen",
        "lead_unit": "DISKOMINFO",
    }
    for over in (
        {"sub_kegiatan_code": "2.16.02.2.01.002"},  # three-digit sub kegiatan
        {"sub_kegiatan_code": "2.16.2.2.01.0002"},
        {"title": "   "},
        {"objective": "x" * 501},
        {"measure_unit": "x" * 61},
        {"direction": "naik-turun"},
        {"targets": [{"year": 2025}]},
        {"targets": [{"year": 2025, "value": 1}, {"year": 2025, "value": 2}]},
        {"code": "A 09"},
        {"pd": "DISKOMINFO"},
    ):
        response = api.post(ACTIONS, json={**base, **over})
        assert_error(response, (400, 422))
    assert dump_database(engine) == before


# --- update ------------------------------------------------------------------------------


def test_patch_replaces_targets_and_bumps_the_version_only_on_change(
    api: Client, demo: sa.Engine
) -> None:
    action = new_action(
        api, "A.09.05", targets=[{"year": 2024, "value": 1}, {"year": 2025, "value": 2}]
    )
    url = f"{ACTIONS}/{action['id']}"

    changed = api.patch(
        url,
        json={"targets": [{"year": 2026, "value": 3}]},
        headers=current(api, url),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["targets"] == [{"year": 2026, "value": 3.0}]  # years left out become inactive
    assert body["version"] == 2
    assert {k: v for k, v in body.items() if k not in ("targets", "version")} == {
        k: v for k, v in action.items() if k not in ("targets", "version")
    }
    assert "A.09.05" not in codes(all_actions(api, "year=2025"))
    assert "A.09.05" in codes(all_actions(api, "year=2026"))

    same = api.patch(
        url,
        json={"targets": [{"year": 2026, "value": 3}], "title": "Aksi uji A.09.05"},
        headers=current(api, url),
    )
    assert same.json()["version"] == 2
    assert api.patch(url, json={}, headers=current(api, url)).json()["version"] == 2

    retitled = api.patch(
        url,
        json={"title": "Judul baru", "sub_kegiatan_code": "2.16.02.2.01.03"},
        headers=current(api, url),
    )
    assert retitled.json()["title"] == "Judul baru"
    assert retitled.json()["sub_kegiatan_code"] == "2.16.02.2.01.0003"
    assert retitled.json()["targets"] == [{"year": 2026, "value": 3.0}]
    assert retitled.json()["version"] == 3
    assert api.get(url).json() == retitled.json()


def test_patch_supporting_units_compares_as_a_set(api: Client, demo: sa.Engine) -> None:
    action = new_action(api, "A.09.06", supporting_units=["BAPPEDA", "BAG-ORG"])
    url = f"{ACTIONS}/{action['id']}"
    same = api.patch(
        url, json={"supporting_units": ["BAG-ORG", "BAPPEDA", "BAPPEDA"]}, headers=current(api, url)
    )
    assert same.json()["version"] == 1
    changed = api.patch(url, json={"supporting_units": ["INSPEKTORAT"]}, headers=current(api, url))
    assert changed.json()["supporting_units"] == ["INSPEKTORAT"]
    assert changed.json()["version"] == 2
    cleared = api.patch(url, json={"supporting_units": [], "note": None}, headers=current(api, url))
    assert cleared.json()["supporting_units"] == [] and cleared.json()["note"] is None


def test_patch_refuses_bad_input_and_changes_nothing(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    action = all_actions(api)[0]
    url = f"{ACTIONS}/{action['id']}"
    before = dump_database(engine)
    assert_error(
        api.patch(url, json={"targets": [{"year": 2021, "value": 1}]}, headers=current(api, url)),
        422,
        field="targets",
    )
    assert_error(
        api.patch(url, json={"lead_unit": "DINAS-ANTAH"}, headers=current(api, url)),
        422,
        field="lead_unit",
    )
    assert_error(
        api.patch(url, json={"code": "A.99"}, headers=current(api, url)), 400
    )  # the code is the key
    assert_error(api.patch(url, json={"title": None}, headers=current(api, url)), 400)
    assert_error(
        api.patch(
            f"{ACTIONS}/999999", json={"title": "x"}, headers=current(api, f"{ACTIONS}/999999")
        ),
        404,
    )
    assert dump_database(engine) == before
    assert api.get(url).json() == action


# --- progress reports ----------------------------------------------------------------------


def test_progress_reports_are_history_newest_first(api: Client, demo: sa.Engine) -> None:
    action = all_actions(api)[0]
    url = f"{ACTIONS}/{action['id']}/progress"
    assert api.get(url).json() == []

    q4 = report(api, action["id"], 2024, 4, "BERJALAN", progress_pct=80, achieved_value=0.8)
    assert q4["action_id"] == action["id"]
    assert (q4["year"], q4["quarter"], q4["status"]) == (2024, 4, "BERJALAN")
    assert q4["progress_pct"] == 80 and q4["achieved_value"] == 0.8
    assert q4["reported_by"] == api.get("/api/v1/auth/me").json()["username"]
    assert q4["reported_at"]
    q1 = report(api, action["id"], 2025, 1, "BERJALAN", progress_pct=20, problems="Anggaran")
    q2_of_2024 = report(api, action["id"], 2024, 2, "BERJALAN", progress_pct=40)
    q1_again = report(api, action["id"], 2025, 1, "TERTUNDA", follow_up="Diusulkan ulang")

    history = api.get(url).json()
    assert [r["id"] for r in history] == [q1_again["id"], q1["id"], q4["id"], q2_of_2024["id"]]
    # an earlier report is never overwritten
    assert history[1] == q1
    latest = api.get(f"{ACTIONS}/{action['id']}").json()
    assert latest["status"] == "TERTUNDA" and latest["progress_pct"] is None


def test_progress_refuses_bad_reports_and_writes_nothing(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    action = all_actions(api)[0]
    url = f"{ACTIONS}/{action['id']}/progress"
    ok = {"year": 2025, "quarter": 1, "status": "BERJALAN"}
    before = dump_database(engine)

    assert_error(api.post(url, json={**ok, "progress_pct": 100.5}), (400, 422))
    assert_error(api.post(url, json={**ok, "progress_pct": -1}), (400, 422))
    assert_error(api.post(url, json={**ok, "quarter": 5}), 400)
    assert_error(api.post(url, json={**ok, "quarter": 0}), 400)
    assert_error(api.post(url, json={**ok, "status": "HAMPIR"}), 400)
    assert_error(api.post(url, json={**ok, "reported_by": " "}), 400)
    outside = assert_error(api.post(url, json={**ok, "year": 2027}), 422, field="year")
    assert field_error(outside, "year")["value"] == "2027"
    missing = assert_error(api.post(f"{ACTIONS}/999999/progress", json=ok), 404)
    assert "999999" in missing["detail"]
    assert_error(api.get(f"{ACTIONS}/999999/progress"), 404)
    assert_error(api.get(f"{ACTIONS}/999999"), 404)

    assert dump_database(engine) == before


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "nan", 1e13])
def test_numbers_that_are_no_measure_are_refused_everywhere(
    api: Client, demo: sa.Engine, engine: sa.Engine, value: Any
) -> None:
    """Numeric text is accepted ("5"), but not "NaN" or "Infinity": NaN was a 500 and an
    infinite target was stored, then broke the plan export."""
    action = all_actions(api)[0]
    url = f"{ACTIONS}/{action['id']}"
    before = dump_database(engine)
    bad_target = [{"year": 2025, "value": value}]
    cases = [
        (
            api.patch(url, json={"targets": bad_target}, headers=current(api, url)),
            "targets[0].value",
        ),
        (api.patch(url, json={"baseline": value}, headers=current(api, url)), "baseline"),
        (api.post(ACTIONS, json=new_action_body("T.NAN", targets=bad_target)), "targets[0].value"),
        (
            api.post(
                f"{url}/progress",
                json={"year": 2025, "quarter": 1, "status": "BERJALAN", "achieved_value": value},
            ),
            "achieved_value",
        ),
        (
            api.post(f"{url}/kpi-links", json={"kpi": "pct_followed_up", "targets": bad_target}),
            "targets[0].value",
        ),
    ]
    for response, where in cases:
        body = assert_error(response, 400)
        assert field_error(body, where)["message"].startswith("nilai m"), body
    assert dump_database(engine) == before
    assert api.patch(url, json={"baseline": "5"}, headers=current(api, url)).json()["baseline"] == 5


def test_a_new_lead_takes_over_the_old_lead_s_lines_and_kpi_links(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    """As a plan import does for rows with an empty PD. Left with the old lead, the lines
    belonged to a unit no longer on the action: no planner could correct them."""

    def held(action_id: int) -> list[tuple[Any, ...]]:
        query = sa.text(
            "SELECT 'line', b.year, b.stage, b.source, b.amount, u.code FROM budget_line b "
            "JOIN unit u ON u.id = b.unit_id WHERE b.action_id = :a UNION ALL "
            "SELECT 'kpi', 0, k.kpi, '', 0, u.code FROM kpi_link k "
            "JOIN unit u ON u.id = k.unit_id WHERE k.action_id = :a ORDER BY 1, 2, 3, 4"
        )
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query, {"a": action_id})]

    with engine.connect() as conn:
        action_id = conn.execute(
            sa.text(
                "SELECT a.id FROM action a JOIN kpi_link k ON k.action_id = a.id "
                "AND k.unit_id = a.lead_unit_id JOIN budget_line b ON b.action_id = a.id "
                "AND b.unit_id = a.lead_unit_id ORDER BY a.id LIMIT 1"
            )
        ).scalar_one()
    url = f"{ACTIONS}/{action_id}"
    old_lead = api.get(url).json()["lead_unit"]
    new_lead = "INSPEKTORAT" if old_lead != "INSPEKTORAT" else "BAPPEDA"
    before = held(action_id)
    assert old_lead in {row[-1] for row in before}

    # a line the new lead already has for the same year, stage and source: refused, unchanged
    line = next(r for r in before if r[0] == "line" and r[-1] == old_lead)
    twin = api.post(
        "/api/v1/budget-lines",
        json={
            "action_id": action_id,
            "year": line[1],
            "stage": line[2],
            "source": line[3],
            "amount": 1,
            "unit": new_lead,
        },
    )
    assert twin.status_code == 201, twin.text
    snapshot = dump_database(engine)
    clash = assert_error(
        api.patch(url, json={"lead_unit": new_lead}, headers=current(api, url)),
        409,
        field="lead_unit",
    )
    assert f"id {twin.json()['id']}" in field_error(clash, "lead_unit")["message"]
    assert dump_database(engine) == snapshot

    deleted = api.delete(
        f"/api/v1/budget-lines/{twin.json()['id']}",
        headers=current(api, f"/api/v1/budget-lines/{twin.json()['id']}"),
    )
    assert deleted.status_code == 204, deleted.text
    moved = api.patch(url, json={"lead_unit": new_lead}, headers=current(api, url))
    assert moved.status_code == 200, moved.text
    assert held(action_id) == sorted(
        (*row[:-1], new_lead if row[-1] == old_lead else row[-1]) for row in before
    )


def test_a_unit_leads_or_supports_an_action_not_both(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    body = new_action_body("T.LEAD", lead_unit="DINKES", supporting_units=["PUPR", "DINKES"])
    error = assert_error(api.post(ACTIONS, json=body), 422, field="supporting_units")
    assert field_error(error, "supporting_units")["value"] == "DINKES"
    action = next(a for a in all_actions(api) if a["supporting_units"])
    url = f"{ACTIONS}/{action['id']}"
    for patch in (
        {"lead_unit": action["supporting_units"][0]},
        {"supporting_units": [*action["supporting_units"], action["lead_unit"]]},
    ):
        response = api.patch(url, json=patch, headers=current(api, url))
        assert_error(response, 422, field="supporting_units")
    assert dump_database(engine) == before
    # moving the lead to a supporting unit works when it leaves the supporting list at once
    swap = {"lead_unit": action["supporting_units"][0], "supporting_units": [action["lead_unit"]]}
    swapped = api.patch(url, json=swap, headers=current(api, url))
    assert swapped.status_code == 200, swapped.text
    assert (swapped.json()["lead_unit"], swapped.json()["supporting_units"]) == (
        action["supporting_units"][0],
        [action["lead_unit"]],
    )
