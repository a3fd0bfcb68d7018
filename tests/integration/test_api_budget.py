"""Budget lines, flags and the per-unit summary over HTTP, checked against each other and the CLI."""

import json
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tests.helpers import dump_database
from tests.integration.conftest import Shared
from tests.integration.shapes import assert_error, current, field_error

LINES = "/api/v1/budget-lines"
Client = TestClient[Any]
MONEY = ("usulan", "pagu", "realisasi", "gap")


def new_action(
    api: Client, code: str, lead: str = "DISKOMINFO", years: tuple[int, ...] = (2025,)
) -> Any:
    response = api.post(
        "/api/v1/actions",
        json={
            "code": code,
            "objective": "Terdanainya aksi rencana aksi",
            "title": f"Aksi {code}",
            "indicator": "Jumlah kegiatan",
            "measure_unit": "Kegiatan",
            "lead_unit": lead,
            "targets": [{"year": y, "value": 1} for y in years],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def add_line(api: Client, action_id: int, stage: str, amount: int, **over: Any) -> Any:
    body = {"action_id": action_id, "year": 2025, "stage": stage, "source": "PAD", "amount": amount}
    response = api.post(LINES, json={**body, **over})
    assert response.status_code == 201, response.text
    return response.json()


def all_lines(api: Client, query: str = "") -> list[dict[str, Any]]:
    body = api.get(f"{LINES}?per_page=1000&{query}").json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


def flags(api: Client, query: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/flags?{query}")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


# --- budget lines ------------------------------------------------------------------------


def test_create_line_defaults_to_the_lead_unit(api: Client, demo: sa.Engine) -> None:
    action = new_action(api, "B.01", lead="BAPPEDA")
    line = add_line(api, action["id"], "USULAN", 150_000_000, note="Renja 2025")
    assert line["unit"] == "BAPPEDA"
    assert line["action_code"] == "B.01" and line["action_id"] == action["id"]
    assert (line["year"], line["stage"], line["source"]) == (2025, "USULAN", "PAD")
    assert line["amount"] == 150_000_000 and line["note"] == "Renja 2025"
    assert line["version"] == 1
    assert api.get(f"{LINES}/{line['id']}").json() == line

    other = add_line(api, action["id"], "USULAN", 5_000_000, unit="DISKOMINFO")
    assert other["unit"] == "DISKOMINFO"  # same stage and source, another unit: its own line


def test_create_line_refuses_bad_amounts_and_keys(
    api: Client, demo: sa.Engine, engine: sa.Engine
) -> None:
    action = new_action(api, "B.02")
    add_line(api, action["id"], "DPA", 10_000_000)
    before = dump_database(engine)
    base = {"action_id": action["id"], "year": 2025, "stage": "USULAN", "source": "PAD"}

    for amount in (-1, 1.5, "seribu", None, 10**16):
        assert_error(api.post(LINES, json={**base, "amount": amount}), 400, field="amount")
    duplicate = api.post(LINES, json={**base, "stage": "DPA", "amount": 99})
    assert "ganda" in field_error(assert_error(duplicate, 409, field="stage"), "stage")["message"]
    outside = api.post(LINES, json={**base, "year": 2027, "amount": 1})
    assert field_error(assert_error(outside, 422, field="year"), "year")["value"] == "2027"
    assert_error(api.post(LINES, json={**base, "stage": "PAGU", "amount": 1}), 400, field="stage")
    assert_error(api.post(LINES, json={**base, "source": "APBN", "amount": 1}), 400, field="source")
    missing = api.post(LINES, json={**base, "action_id": 999_999, "amount": 1})
    assert (
        field_error(assert_error(missing, 404, field="action_id"), "action_id")["value"] == "999999"
    )
    unknown_unit = api.post(LINES, json={**base, "unit": "DINAS-ANTAH", "amount": 1})
    assert_error(unknown_unit, (404, 422), field="unit")
    assert_error(api.post(LINES, json={**base, "amount": 1, "tahap": "USULAN"}), 400)

    assert dump_database(engine) == before


def test_update_and_delete_a_line(api: Client, demo: sa.Engine, engine: sa.Engine) -> None:
    action = new_action(api, "B.03")
    usulan = add_line(api, action["id"], "USULAN", 100)
    dpa = add_line(api, action["id"], "DPA", 80)
    url = f"{LINES}/{dpa['id']}"

    changed = api.patch(url, json={"amount": 90, "note": "DPA murni"}, headers=current(api, url))
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**dpa, "amount": 90, "note": "DPA murni", "version": 2}
    assert (
        api.patch(url, json={"amount": 90}, headers=current(api, url)).json()["version"] == 2
    )  # nothing changed
    assert (
        api.patch(url, json={"source": "DAU"}, headers=current(api, url)).json()["source"] == "DAU"
    )

    before = dump_database(engine)
    clash = api.patch(
        f"{LINES}/{usulan['id']}",
        json={"stage": "DPA", "source": "DAU"},
        headers=current(api, f"{LINES}/{usulan['id']}"),
    )
    assert_error(clash, 409)
    assert_error(
        api.patch(url, json={"amount": -5}, headers=current(api, url)), 400, field="amount"
    )
    assert_error(
        api.patch(url, json={"year": 2026}, headers=current(api, url)), 400
    )  # the year is part of the key
    assert_error(
        api.patch(f"{LINES}/999999", json={"amount": 1}, headers=current(api, f"{LINES}/999999")),
        404,
    )
    assert dump_database(engine) == before

    deleted = api.delete(url, headers=current(api, url))
    assert deleted.status_code == 204
    assert_error(api.get(url), 404)
    assert_error(api.delete(url, headers=current(api, url)), 404)
    assert [line["id"] for line in all_lines(api, f"action_id={action['id']}")] == [usulan["id"]]


def test_list_filters_by_action_unit_and_year(shared_demo: Shared) -> None:
    api = shared_demo.client
    lines = all_lines(api)
    assert len(lines) == 562
    action_id = lines[0]["action_id"]
    cases = {
        f"action_id={action_id}": [x for x in lines if x["action_id"] == action_id],
        "unit=DISKOMINFO": [x for x in lines if x["unit"] == "DISKOMINFO"],
        "year=2024": [x for x in lines if x["year"] == 2024],
        "unit=DISKOMINFO&year=2024": [
            x for x in lines if x["unit"] == "DISKOMINFO" and x["year"] == 2024
        ],
    }
    for query, expected in cases.items():
        assert expected, query
        assert all_lines(api, query) == expected, query
    page = api.get(f"{LINES}?year=2024&per_page=10&page=2").json()
    assert page["total"] == len(cases["year=2024"])
    assert page["items"] == cases["year=2024"][10:20]
    assert all_lines(api, "action_id=999999") == []


# --- flags -------------------------------------------------------------------------------


def test_flags_follow_the_budget_lines_of_an_action(api: Client, demo: sa.Engine) -> None:
    action = new_action(api, "B.04", years=(2025,))

    def row() -> dict[str, Any]:
        rows = [r for r in flags(api, "year=2025") if r["action_code"] == "B.04"]
        assert len(rows) == 1
        return rows[0]

    assert row()["flags"] == ["BELUM_USULAN", "TANPA_PAGU"]
    add_line(api, action["id"], "USULAN", 100_000_000)
    assert row()["flags"] == ["TANPA_PAGU"]
    assert row()["gap"] == 100_000_000
    add_line(api, action["id"], "DPA", 80_000_000, source="NON_APBD")  # donor money: no pagu
    assert row()["pagu"] == 0
    dpa = add_line(api, action["id"], "DPA", 60_000_000)
    assert (row()["pagu"], row()["gap"], row()["flags"]) == (
        60_000_000,
        40_000_000,
        ["KURANG_PAGU"],
    )
    add_line(api, action["id"], "DPPA", 100_000_000)  # DPPA replaces DPA
    assert (row()["pagu"], row()["gap"], row()["flags"]) == (100_000_000, 0, [])
    api.patch(
        f"{LINES}/{dpa['id']}", json={"amount": 1}, headers=current(api, f"{LINES}/{dpa['id']}")
    )
    assert row()["pagu"] == 100_000_000
    assert row()["unit_code"] == "DISKOMINFO" and row()["year"] == 2025
    # a line of Rp 0 is no request
    zero = new_action(api, "B.05")
    add_line(api, zero["id"], "USULAN", 0)
    assert [r["flags"] for r in flags(api, "year=2025") if r["action_code"] == "B.05"] == [
        ["BELUM_USULAN", "TANPA_PAGU"]
    ]


def test_flags_api_and_cli_agree(shared_demo: Shared) -> None:
    api, cli = shared_demo.client, shared_demo.cli
    rows = flags(api, "year=2025")
    result = cli("flags", "--year", "2025", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == rows
    assert len(rows) >= 39
    assert {r["year"] for r in rows} == {2025}
    assert any(r["flags"] for r in rows) and any(not r["flags"] for r in rows)

    only_flagged = cli("flags", "--year", "2025", "--flagged", "--json")
    assert json.loads(only_flagged.output) == flags(api, "year=2025&flagged=true")
    assert json.loads(only_flagged.output) == [r for r in rows if r["flags"]]
    by_unit = cli("flags", "--year", "2025", "--unit", "DISKOMINFO", "--json")
    assert json.loads(by_unit.output) == flags(api, "year=2025&unit=DISKOMINFO")


@pytest.mark.parametrize("flag", ["TANPA_PAGU", "KURANG_PAGU", "BELUM_USULAN"])
def test_flag_filter(shared_demo: Shared, flag: str) -> None:
    api = shared_demo.client
    everything = flags(api, "year=2025")
    expected = [r for r in everything if flag in r["flags"]]
    assert expected
    assert flags(api, f"year=2025&flag={flag}") == expected


def test_unit_filter(shared_demo: Shared) -> None:
    api = shared_demo.client
    everything = flags(api, "year=2025")
    for unit in ("DISKOMINFO", "BAG-ORG", "64.08.02"):
        expected = [r for r in everything if r["unit_code"] == unit]
        assert expected, unit
        assert flags(api, f"year=2025&unit={unit}") == expected
    assert flags(api, "year=2025&unit=DISKOMINFO&flag=TANPA_PAGU") == [
        r for r in everything if r["unit_code"] == "DISKOMINFO" and "TANPA_PAGU" in r["flags"]
    ]
    assert_error(api.get("/api/v1/flags?year=2025&unit=DINAS-ANTAH"), 404)


def test_flags_refuse_bad_queries(shared_demo: Shared) -> None:
    api = shared_demo.client
    assert_error(api.get("/api/v1/flags"), 400)  # year is required
    assert_error(api.get("/api/v1/flags?year=dua-ribu"), 400, field="year")
    assert_error(api.get("/api/v1/flags?year=2025&flag=MAHAL"), 400, field="flag")
    assert "2031" in assert_error(api.get("/api/v1/flags?year=2031"), 404)["detail"]


# --- summary -----------------------------------------------------------------------------


def test_summary_totals_agree_with_units_and_with_flags(shared_demo: Shared) -> None:
    api = shared_demo.client
    response = api.get("/api/v1/summary?year=2025")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["year"], summary["plan"]) == (2025, "RENAKSI-2022-2026")
    units, total = summary["units"], summary["total"]
    assert total["unit_code"] is None and total["year"] == 2025
    for key in (*MONEY, "active_actions", "flagged_actions", "funded_actions"):
        assert total[key] == sum(u[key] for u in units), key

    rows = flags(api, "year=2025")
    for key in MONEY:
        assert total[key] == sum(r[key] for r in rows), key
    assert total["flagged_actions"] == sum(1 for r in rows if r["flags"])
    assert total["usulan"] > 0 and total["gap"] > 0
    for unit in units:
        mine = [r for r in rows if r["unit_code"] == unit["unit_code"]]
        for key in MONEY:
            assert unit[key] == sum(r[key] for r in mine), (unit["unit_code"], key)
        assert unit["flagged_actions"] == sum(1 for r in mine if r["flags"])
        if unit["active_actions"]:
            assert unit["share_funded"] == unit["funded_actions"] / unit["active_actions"]
        else:
            assert unit["share_funded"] is None
    assert [u["unit_code"] for u in units] == sorted(u["unit_code"] for u in units)

    active = api.get("/api/v1/actions?year=2025&per_page=1").json()["total"]
    assert total["active_actions"] == active
    assert total["share_funded"] == total["funded_actions"] / active


def test_summary_follows_new_lines(api: Client, demo: sa.Engine) -> None:
    before = api.get("/api/v1/summary?year=2025").json()["total"]
    action = new_action(api, "B.06", lead="DISKOMINFO")
    add_line(api, action["id"], "USULAN", 7_000_000)
    add_line(api, action["id"], "DPA", 2_000_000)
    after = api.get("/api/v1/summary?year=2025").json()["total"]
    assert after["usulan"] == before["usulan"] + 7_000_000
    assert after["pagu"] == before["pagu"] + 2_000_000
    assert after["gap"] == before["gap"] + 5_000_000
    assert after["active_actions"] == before["active_actions"] + 1
    assert after["flagged_actions"] == before["flagged_actions"] + 1
    assert after["funded_actions"] == before["funded_actions"] + 1


def test_summary_for_a_year_outside_every_plan(shared_demo: Shared) -> None:
    api = shared_demo.client
    assert_error(api.get("/api/v1/summary?year=2031"), 404)
    assert_error(api.get("/api/v1/summary?year=2025&plan=RENAKSI-2027-2031"), 404)
    assert_error(api.get("/api/v1/summary"), 400)
