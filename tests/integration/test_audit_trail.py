"""The audit trail, entity by entity: every change leaves exactly one row per changed record
(who, when, old and new values, request id) in the same transaction, a refused change leaves
none, and a planner's view of an action's history holds only what they may read elsewhere.

The ``demo`` fixture copies the demo rows without their audit trail, so every row counted
here was written by the change under test.
"""

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy.orm import Session, selectinload

from renaksi.cli import main
from renaksi.db.engine import make_session_factory
from renaksi.db.models import AuditLog, BudgetLine, KpiLink, KpiTarget
from tests.conftest import Cli, make_user
from tests.integration.shapes import assert_error, current

Client = TestClient[Any]
MakeClient = Callable[..., Client]
Row = dict[str, Any]


class Trail:
    """Reads the audit rows written since the last :meth:`new` call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.seen = self._last()

    def _last(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0))).scalar_one()
            )

    def new(self) -> list[Row]:
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(AuditLog).where(AuditLog.id > self.seen).order_by(AuditLog.id)
                )
            ]
        if rows:
            self.seen = rows[-1]["id"]
        return rows

    def none(self) -> None:
        assert self.new() == []


def summary(rows: list[Row]) -> list[tuple[str, str, str]]:
    """``(entity, entity_id, action)`` of each row, sorted: one per changed record."""
    return sorted((r["entity"], r["entity_id"], r["action"]) for r in rows)


def check_rows(rows: list[Row], actor: str, request_id: str | None) -> None:
    """Who, when (UTC), old/new shape per action, request id — and never a password hash."""
    for row in rows:
        assert row["actor"] == actor, row
        assert isinstance(row["at"], datetime), row
        if request_id is not None:
            assert row["request_id"] == request_id, row
        if row["action"] == "create":
            assert row["old"] is None and row["new"], row
        elif row["action"] == "delete":
            assert row["old"] and row["new"] is None, row
        else:
            assert row["old"] is not None and row["new"], row
        text = json.dumps([row["old"], row["new"]])
        assert "argon2" not in text and "password_hash" not in text, row


def rid(name: str) -> dict[str, str]:
    return {"X-Request-ID": f"uji-{name}"}


def _action_of(api: Client, unit: str, *, supported: bool = False) -> dict[str, Any]:
    items = api.get("/api/v1/actions", params={"unit": unit, "per_page": 500}).json()["items"]
    return next(
        a for a in items if a["lead_unit"] == unit and (a["supporting_units"] or not supported)
    )


# --- actions and their targets ------------------------------------------------------------


def test_action_create_update_and_target_add_change_remove_are_audited(
    api: Client, demo: sa.Engine
) -> None:
    trail = Trail(demo)
    body = {
        "code": "Z.99.01",
        "objective": "Sasaran uji jejak audit",
        "title": "Aksi uji",
        "indicator": "Jumlah uji",
        "measure_unit": "kali",
        "lead_unit": "DINKES",
        "targets": [{"year": 2024, "value": 1}, {"year": 2025, "value": 2}],
    }
    created = api.post("/api/v1/actions", json=body, headers=rid("aksi-baru"))
    assert created.status_code == 201, created.text
    action_id = created.json()["id"]
    rows = trail.new()
    assert ("action", str(action_id), "create") in summary(rows)
    assert [s for s in summary(rows) if s[0] == "action_target"] == [
        ("action_target", f"{action_id}:2024", "create"),
        ("action_target", f"{action_id}:2025", "create"),
    ]
    # the new objective is a record of its own; nothing else was written
    assert {s[0] for s in summary(rows)} <= {"action", "action_target", "objective"}
    assert len([s for s in summary(rows) if s[0] == "action"]) == 1
    check_rows(rows, "admin-uji", "uji-aksi-baru")

    url = f"/api/v1/actions/{action_id}"
    # 2024 changes value, 2025 is dropped, 2026 is added: one row for each target touched
    changed = api.patch(
        url,
        json={"targets": [{"year": 2024, "value": 5}, {"year": 2026, "value": 3}]},
        headers={**current(api, url), **rid("aksi-target")},
    )
    assert changed.status_code == 200, changed.text
    rows = trail.new()
    assert summary(rows) == [
        ("action_target", f"{action_id}:2024", "update"),
        ("action_target", f"{action_id}:2025", "delete"),
        ("action_target", f"{action_id}:2026", "create"),
    ]
    check_rows(rows, "admin-uji", "uji-aksi-target")
    by_id = {r["entity_id"]: r for r in rows}
    assert by_id[f"{action_id}:2024"]["old"] == {"value": 1.0}
    assert by_id[f"{action_id}:2024"]["new"] == {"value": 5.0}
    assert by_id[f"{action_id}:2025"]["old"] == {"action_id": action_id, "year": 2025, "value": 2.0}
    history = api.get(f"{url}/history").json()
    assert any(
        e["entity_id"] == f"{action_id}:2025" and e["action"] == "delete" for e in history
    ), history

    title = api.patch(url, json={"title": "Aksi uji diubah"}, headers=current(api, url))
    assert title.status_code == 200, title.text
    rows = trail.new()
    assert summary(rows) == [("action", str(action_id), "update")]
    assert rows[0]["old"]["title"] == "Aksi uji" and rows[0]["new"]["title"] == "Aksi uji diubah"

    # refused changes write nothing
    assert_error(api.patch(url, json={"title": "basi"}, headers={"If-Match": '"1"'}), 412)
    assert_error(
        api.patch(url, json={"targets": [{"year": 2031, "value": 1}]}, headers=current(api, url)),
        422,
    )
    assert_error(api.post("/api/v1/actions", json=body), 409)
    trail.none()


def test_progress_report_create_is_audited(api: Client, demo: sa.Engine) -> None:
    trail = Trail(demo)
    action = _action_of(api, "DINKES")
    url = f"/api/v1/actions/{action['id']}/progress"
    report = api.post(
        url,
        json={"year": 2025, "quarter": 2, "status": "BERJALAN", "progress_pct": 40},
        headers=rid("kemajuan"),
    )
    assert report.status_code == 201, report.text
    rows = trail.new()
    assert summary(rows) == [("progress_report", str(report.json()["id"]), "create")]
    check_rows(rows, "admin-uji", "uji-kemajuan")
    assert rows[0]["new"]["progress_pct"] == 40
    assert_error(api.post(url, json={"year": 2031, "quarter": 1, "status": "BERJALAN"}), 422)
    trail.none()


def test_budget_line_create_update_delete_are_audited(api: Client, demo: sa.Engine) -> None:
    trail = Trail(demo)
    action = _action_of(api, "DINKES")
    line = {"action_id": action["id"], "year": 2026, "stage": "USULAN", "source": "HIBAH"}
    created = api.post("/api/v1/budget-lines", json={**line, "amount": 10}, headers=rid("baru"))
    assert created.status_code == 201, created.text
    line_id = str(created.json()["id"])
    url = f"/api/v1/budget-lines/{line_id}"
    rows = trail.new()
    assert summary(rows) == [("budget_line", line_id, "create")]
    check_rows(rows, "admin-uji", "uji-baru")

    updated = api.patch(url, json={"amount": 20}, headers={**current(api, url), **rid("ubah")})
    assert updated.status_code == 200, updated.text
    rows = trail.new()
    assert summary(rows) == [("budget_line", line_id, "update")]
    assert (rows[0]["old"], rows[0]["new"]) == ({"amount": 10}, {"amount": 20})
    check_rows(rows, "admin-uji", "uji-ubah")

    assert_error(api.post("/api/v1/budget-lines", json={**line, "amount": 5}), 409)
    assert_error(api.patch(url, json={"amount": 30}, headers={"If-Match": '"1"'}), 412)
    trail.none()

    deleted = api.delete(url, headers={**current(api, url), **rid("hapus")})
    assert deleted.status_code == 204, deleted.text
    rows = trail.new()
    assert summary(rows) == [("budget_line", line_id, "delete")]
    assert rows[0]["old"]["amount"] == 20
    check_rows(rows, "admin-uji", "uji-hapus")


# --- units and aliases --------------------------------------------------------------------


def test_unit_create_update_and_alias_add_remove_are_audited(api: Client, demo: sa.Engine) -> None:
    trail = Trail(demo)
    created = api.post(
        "/api/v1/units",
        json={"code": "UJI", "name": "Dinas Uji", "kind": "dinas", "aliases": ["Uji A", "Uji B"]},
        headers=rid("pd-baru"),
    )
    assert created.status_code == 201, created.text
    rows = trail.new()
    assert [s[0] for s in summary(rows)] == ["unit", "unit_alias", "unit_alias"]
    assert all(s[2] == "create" for s in summary(rows))
    check_rows(rows, "admin-uji", "uji-pd-baru")
    alias_ids = {r["new"]["alias"]: r["entity_id"] for r in rows if r["entity"] == "unit_alias"}

    url = "/api/v1/units/UJI"
    # "Uji B" dropped, "Uji C" added, "Uji A" kept
    changed = api.patch(
        url, json={"aliases": ["Uji A", "Uji C"]}, headers={**current(api, url), **rid("alias")}
    )
    assert changed.status_code == 200, changed.text
    rows = trail.new()
    assert sorted((s[0], s[2]) for s in summary(rows)) == [
        ("unit_alias", "create"),
        ("unit_alias", "delete"),
    ]
    gone = next(r for r in rows if r["action"] == "delete")
    assert gone["entity_id"] == alias_ids["Uji B"] and gone["old"]["alias"] == "Uji B"
    check_rows(rows, "admin-uji", "uji-alias")

    added = api.post(f"{url}/aliases", json={"alias": "Uji D"})
    assert added.status_code == 201, added.text
    rows = trail.new()
    assert [(s[0], s[2]) for s in summary(rows)] == [("unit_alias", "create")]

    renamed = api.patch(url, json={"name": "Dinas Uji Baru"}, headers=current(api, url))
    assert renamed.status_code == 200, renamed.text
    rows = trail.new()
    assert summary(rows) == [("unit", rows[0]["entity_id"], "update")]
    assert rows[0]["new"]["name"] == "Dinas Uji Baru"

    # refused: an alias that is another unit's, a stale version, a duplicate code
    assert_error(
        api.patch(url, json={"aliases": ["Setda Kutim"]}, headers=current(api, url)),
        (409, 422),
    )
    assert_error(api.patch(url, json={"name": "basi"}, headers={"If-Match": '"1"'}), 412)
    assert_error(api.post("/api/v1/units", json={"code": "UJI", "name": "x", "kind": "dinas"}), 409)
    trail.none()


def test_units_import_dropping_an_alias_is_audited(
    cli: Cli, units_loaded: Session, engine: sa.Engine, tmp_path: Path
) -> None:
    csv = tmp_path / "pd.csv"
    csv.write_text("code,name,kind,aliases\nUJI,Dinas Uji,dinas,Uji Satu|Uji Dua\n")
    assert cli("units", "import", str(csv)).exit_code == 0
    trail = Trail(engine)
    csv.write_text("code,name,kind,aliases\nUJI,Dinas Uji,dinas,Uji Satu\n")
    result = cli("units", "import", str(csv))
    assert result.exit_code == 0, result.output
    rows = trail.new()
    assert [(r["entity"], r["action"], r["old"]["alias"]) for r in rows] == [
        ("unit_alias", "delete", "Uji Dua")
    ]


# --- users --------------------------------------------------------------------------------


def test_user_create_update_disable_and_password_change_are_audited(
    api: Client, demo: sa.Engine
) -> None:
    trail = Trail(demo)
    password = "kata-sandi-yang-panjang"
    created = api.post(
        "/api/v1/users",
        json={"username": "siti", "password": password, "role": "perencana", "unit": "DINKES"},
        headers=rid("pengguna"),
    )
    assert created.status_code == 201, created.text
    user_id = str(created.json()["id"])
    rows = trail.new()
    assert summary(rows) == [("user", user_id, "create")]
    check_rows(rows, "admin-uji", "uji-pengguna")
    assert rows[0]["new"]["username"] == "siti"

    url = f"/api/v1/users/{user_id}"

    def tag() -> dict[str, str]:
        users = api.get("/api/v1/users").json()
        version = next(u for u in users if str(u["id"]) == user_id)["version"]
        return {"If-Match": f'"{version}"'}

    named = api.patch(url, json={"full_name": "Siti Aminah"}, headers=tag())
    assert named.status_code == 200, named.text
    rows = trail.new()
    assert summary(rows) == [("user", user_id, "update")]
    assert rows[0]["new"]["full_name"] == "Siti Aminah"

    changed = api.patch(
        url, json={"password": "sandi-baru-yang-panjang"}, headers={**tag(), **rid("sandi")}
    )
    assert changed.status_code == 200, changed.text
    rows = trail.new()
    assert summary(rows) == [("user", user_id, "update")]
    assert rows[0]["new"]["password"] == "diubah"
    check_rows(rows, "admin-uji", "uji-sandi")

    disabled = api.patch(url, json={"active": False}, headers=tag())
    assert disabled.status_code == 200, disabled.text
    rows = trail.new()
    assert summary(rows) == [("user", user_id, "update")]
    assert (rows[0]["old"]["active"], rows[0]["new"]["active"]) == (True, False)

    # refused: a too-short password, a stale version, a taken name
    assert_error(api.patch(url, json={"password": "pendek"}, headers=tag()), (400, 422))
    assert_error(api.patch(url, json={"full_name": "basi"}, headers={"If-Match": '"1"'}), 412)
    assert_error(
        api.post(
            "/api/v1/users",
            json={"username": "siti", "password": password, "role": "bappeda"},
        ),
        409,
    )
    trail.none()


def test_cli_password_change_is_audited(
    units_loaded: Session, engine: sa.Engine, database_url: str
) -> None:
    make_user(units_loaded, "budi", "bappeda")
    trail = Trail(engine)
    result = CliRunner().invoke(
        main,
        ["users", "password", "budi", "--password-stdin"],
        input="sandi-baru-yang-panjang\n",
        env={"RENAKSI_DATABASE_URL": database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    rows = trail.new()
    assert [(r["entity"], r["action"]) for r in rows] == [("user", "update")]
    assert rows[0]["new"]["password"] == "diubah"
    assert "argon2" not in json.dumps([rows[0]["old"], rows[0]["new"]])


# --- KPI links and their targets ----------------------------------------------------------


def test_kpi_link_create_and_delete_with_its_targets_are_audited(
    api: Client, demo: sa.Engine
) -> None:
    trail = Trail(demo)
    action = _action_of(api, "DINKES")
    url = f"/api/v1/actions/{action['id']}/kpi-links"
    body = {
        "kpi": "response_on_time",
        "unit": "DINKES",
        "targets": [{"year": 2025, "value": 80}, {"year": 2026, "value": 90}],
    }
    existing = {(link["kpi"], link["unit"]) for link in api.get(url).json()}
    assert ("response_on_time", "DINKES") not in existing
    created = api.post(url, json=body, headers=rid("kpi-baru"))
    assert created.status_code == 201, created.text
    link_id = created.json()["id"]
    rows = trail.new()
    assert summary(rows) == [
        ("kpi_link", str(link_id), "create"),
        ("kpi_target", f"{link_id}:2025", "create"),
        ("kpi_target", f"{link_id}:2026", "create"),
    ]
    check_rows(rows, "admin-uji", "uji-kpi-baru")
    assert_error(api.post(url, json=body), 409)  # the same link again
    assert_error(api.post(url, json={**body, "targets": [{"year": 2031, "value": 1}]}), 422)
    trail.none()

    deleted = api.delete(f"/api/v1/kpi-links/{link_id}", headers=rid("kpi-hapus"))
    assert deleted.status_code == 204, deleted.text
    rows = trail.new()
    assert summary(rows) == [
        ("kpi_link", str(link_id), "delete"),
        ("kpi_target", f"{link_id}:2025", "delete"),
        ("kpi_target", f"{link_id}:2026", "delete"),
    ]
    check_rows(rows, "admin-uji", "uji-kpi-hapus")
    assert {r["old"]["value"] for r in rows if r["entity"] == "kpi_target"} == {80, 90}
    # a deleted link's history stays on the action's history
    history = api.get(f"/api/v1/actions/{action['id']}/history").json()
    assert {"create", "delete"} <= {
        e["action"] for e in history if e["entity"] == "kpi_link" and e["entity_id"] == str(link_id)
    }


def test_kpi_target_dropped_from_a_link_is_audited(demo: sa.Engine) -> None:
    """A target removed from ``KpiLink.targets`` (as the plan importer does) is recorded."""
    trail = Trail(demo)
    with make_session_factory(demo)() as session:
        session.info["actor_name"] = "operator-uji"
        link = session.scalars(
            sa.select(KpiLink)
            .where(KpiLink.id.in_(sa.select(KpiTarget.link_id)))
            .options(selectinload(KpiLink.targets))
            .order_by(KpiLink.id)
            .limit(1)
        ).one()
        dropped = link.targets[-1]
        key = f"{link.id}:{dropped.year}"
        link.targets = link.targets[:-1]
        session.commit()
    rows = trail.new()
    assert summary(rows) == [("kpi_target", key, "delete")]
    check_rows(rows, "operator-uji", None)


# --- what a planner may read --------------------------------------------------------------


def test_planner_sees_only_their_own_units_budget_lines_in_an_actions_history(
    api: Client, client_as: MakeClient, demo: sa.Engine
) -> None:
    action = _action_of(api, "DISKOMINFO", supported=True)
    helper = action["supporting_units"][0]
    line = {"action_id": action["id"], "stage": "USULAN", "source": "PAD"}
    # the lead unit's lines: one kept, one deleted (its history stays on the action)
    kept = api.post("/api/v1/budget-lines", json={**line, "year": 2026, "amount": 111})
    gone = api.post("/api/v1/budget-lines", json={**line, "year": 2025, "amount": 222})
    assert kept.status_code == gone.status_code == 201, (kept.text, gone.text)
    gone_url = f"/api/v1/budget-lines/{gone.json()['id']}"
    assert api.delete(gone_url, headers=current(api, gone_url)).status_code == 204
    planner = client_as("perencana", unit=helper)
    own = planner.post(
        "/api/v1/budget-lines", json={**line, "year": 2026, "amount": 333, "unit": helper}
    )
    assert own.status_code == 201, own.text

    url = f"/api/v1/actions/{action['id']}/history"
    everything = {e["entity_id"] for e in api.get(url).json() if e["entity"] == "budget_line"}
    assert {str(kept.json()["id"]), str(gone.json()["id"]), str(own.json()["id"])} <= everything

    seen = planner.get(url)
    assert seen.status_code == 200, seen.text
    lines = [e for e in seen.json() if e["entity"] == "budget_line"]
    assert {e["entity_id"] for e in lines} == {str(own.json()["id"])}
    amounts = {(v or {}).get("amount") for e in seen.json() for v in (e["old"], e["new"])}
    assert not amounts & {111, 222}, seen.json()
    # the same lines GET /budget-lines gives that planner for this action
    listed = planner.get("/api/v1/budget-lines", params={"action_id": action["id"]}).json()
    visible = {str(i["id"]) for i in listed["items"]}
    assert {e["entity_id"] for e in lines} <= visible


def test_planner_reads_kpi_links_only_of_actions_they_may_see(
    api: Client, client_as: MakeClient, demo: sa.Engine
) -> None:
    other = _action_of(api, "PUPR")
    own = _action_of(api, "DINKES")
    planner = client_as("perencana", unit="DINKES")
    assert_error(planner.get(f"/api/v1/actions/{other['id']}"), 403)
    assert_error(planner.get(f"/api/v1/actions/{other['id']}/kpi-links"), 403)
    assert_error(planner.get("/api/v1/actions/999999/kpi-links"), 404)
    assert_error(planner.get("/api/v1/actions/999999"), 404)
    mine = planner.get(f"/api/v1/actions/{own['id']}/kpi-links")
    assert mine.status_code == 200, mine.text
    assert mine.json() == api.get(f"/api/v1/actions/{own['id']}/kpi-links").json()


# --- ids are never reused ------------------------------------------------------------------


def test_a_deleted_budget_lines_id_is_not_given_to_a_new_line(api: Client, demo: sa.Engine) -> None:
    """The history of an id tells of one record only: after the line with the highest id is
    deleted, the next new line gets a new id (SQLite, without AUTOINCREMENT, gave it the
    deleted line's id, and GET /audit mixed the two lines' histories)."""
    old_action, new_action = _action_of(api, "DINKES"), _action_of(api, "PUPR")
    line = {"action_id": old_action["id"], "year": 2026, "stage": "USULAN", "source": "HIBAH"}
    old = api.post("/api/v1/budget-lines", json={**line, "amount": 1_111})
    assert old.status_code == 201, old.text
    old_id = old.json()["id"]
    with demo.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(BudgetLine.id))).scalar_one() == old_id
    url = f"/api/v1/budget-lines/{old_id}"
    assert api.delete(url, headers=current(api, url)).status_code == 204

    line = {"action_id": new_action["id"], "year": 2025, "stage": "DPA", "source": "PAD"}
    new = api.post("/api/v1/budget-lines", json={**line, "amount": 2_222})
    assert new.status_code == 201, new.text
    assert new.json()["id"] > old_id
    assert_error(api.get(url), 404)

    history = api.get("/api/v1/audit", params={"entity": "budget_line", "id": str(old_id)})
    assert history.status_code == 200, history.text
    entries = history.json()
    assert [e["action"] for e in entries] == ["delete", "create"]  # newest first
    assert entries[0]["old"]["amount"] == entries[1]["new"]["amount"] == 1_111
    assert {entries[0]["old"]["action_id"], entries[1]["new"]["action_id"]} == {old_action["id"]}
    new_id = str(new.json()["id"])
    new_history = api.get("/api/v1/audit", params={"entity": "budget_line", "id": new_id}).json()
    assert [(e["action"], e["new"]["amount"]) for e in new_history] == [("create", 2_222)]


def test_a_line_moved_with_its_lead_shows_each_unit_its_own_part_of_the_history(
    client: Client, client_as: MakeClient, units_loaded: Session, tmp_path: Path
) -> None:
    """A plan import that changes an action's lead moves the lines whose PD cell is empty.
    The new lead's planner sees the move and what follows, not what the old lead entered."""
    from renaksi.auth.actor import Actor
    from renaksi.plan.importer import import_plan
    from tests.helpers import action, write_workbook

    def plan(lead: str, helper: str) -> Path:
        return write_workbook(
            tmp_path / f"{lead}.xlsx",
            actions=[action("A.09", lead=lead, **{"PD Terkait": helper})],
            budget=[["A.09", 2025, "USULAN", "PAD", 100_000_000, None, "usulan awal"]],
        )

    import_plan(units_loaded, plan("PUPR", "DINKES"), actor=Actor.system())
    moved = import_plan(units_loaded, plan("DINKES", "PUPR"), actor=Actor.system())
    assert moved.budget_lines.updated == 1 and moved.budget_lines.created == 0
    action_id = client.get("/api/v1/actions", params={"q": "A.09"}).json()["items"][0]["id"]
    url = f"/api/v1/actions/{action_id}/history"

    def line_rows(reader: Client) -> list[str]:
        response = reader.get(url)
        assert response.status_code == 200, response.text
        return sorted(e["action"] for e in response.json() if e["entity"] == "budget_line")

    assert line_rows(client) == ["create", "update"]
    assert line_rows(client_as("perencana", unit="PUPR")) == ["create", "update"]
    assert line_rows(client_as("perencana", unit="DINKES")) == ["update"]  # from the move on
