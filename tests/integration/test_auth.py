"""Accounts, sessions, tokens, the route table, unit scoping, audit, locks, headers."""

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.auth import service
from renaksi.auth.actor import Actor
from renaksi.auth.policy import PUBLIC, PUBLIC_ROUTES, ROUTES, WEB_ROUTES, route_key
from renaksi.auth.schemas import UserUpdate
from renaksi.db.engine import make_session_factory
from renaksi.db.models import ApiToken
from renaksi.errors import ConflictError
from renaksi.settings import Settings
from tests.conftest import PASSWORD, make_user
from tests.helpers import dump_database
from tests.integration.shapes import assert_error

Client = TestClient  # type: ignore[type-arg]
MakeClient = Callable[..., Client]


def test_every_route_is_in_the_role_table(settings: Settings) -> None:
    """API and web alike; only the style sheets, the health check and the API docs are left
    out (they show no data and change nothing)."""
    app = create_app(settings)
    routes = {
        route_key(method, route.path)
        for route in app.routes
        if not route.path.startswith(("/static", "/schema")) and route.path != "/healthz"
        for method in getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}
    }
    table = set(ROUTES) | set(WEB_ROUTES)
    missing = routes - table
    assert not missing, f"routes without roles in renaksi.auth.policy: {sorted(missing)}"
    stale = table - routes
    assert not stale, f"roles for routes that no longer exist: {sorted(stale)}"
    assert all(path.startswith("/api/") for _, path in ROUTES)
    assert not any(path.startswith("/api/") for _, path in WEB_ROUTES)


def _web_url(path: str) -> str:
    return (
        path.replace("{action_id}", "1")
        .replace("{line_id}", "1")
        .replace("{day}", "2025-12-24")
        .replace("{lock_id}", "1")
        .replace("{user_id}", "1")
        .replace("{code}", "DINKES")
    )


def test_every_web_route_follows_the_role_table(
    settings: Settings, session: Session, units_loaded: Session
) -> None:
    """The web router's guard answers from WEB_ROUTES before any handler or body parsing:
    anonymous visitors go to the login page, other roles get 403, listed roles get past it."""
    from renaksi.codes import Role
    from tests.integration.web_support import web_clients

    with TestClient(create_app(settings)) as anonymous:
        for (method, path), roles in WEB_ROUTES.items():
            response = anonymous.request(method, _web_url(path), follow_redirects=False)
            if roles is PUBLIC:  # (POST /masuk without the form's token is still refused)
                assert "tidak terdaftar" not in response.text, (method, path)
                continue
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/masuk"), (method, path)
    with web_clients(settings, session) as login:
        clients = {
            role: login(role.value, "DINKES" if role is Role.PERENCANA else None) for role in Role
        }
        for (method, path), roles in WEB_ROUTES.items():
            if roles is PUBLIC:
                continue
            for role, client in clients.items():
                response = client.request(method, _web_url(path), follow_redirects=False)
                refused = response.status_code == 403 and "bukan untuk peran Anda" in response.text
                assert refused == (role not in roles), (method, path, role, response.status_code)


def test_anonymous_callers_get_401_everywhere_but_login(anon_client: Client) -> None:
    for (method, path), _roles in ROUTES.items():
        if (method, path) in PUBLIC_ROUTES:
            continue
        url = (
            path.replace("{code}", "DISKOMINFO")
            .replace("{day}", "2024-01-01")
            .replace("_id}", "}")
            .replace("{token}", "1")
            .replace("{user}", "1")
            .replace("{action}", "1")
            .replace("{line}", "1")
            .replace("{link}", "1")
            .replace("{lock}", "1")
        )
        response = anon_client.request(method, url, json={} if method != "GET" else None)
        assert_error(response, 401)


def login(client: Client, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_login_sets_a_new_http_only_session_and_writes_need_csrf(
    anon_client: Client, session: Session, demo_loaded: Session
) -> None:
    make_user(session, "kasi", "koordinator")
    planted = "penyerang-menanam-sesi-ini"
    anon_client.cookies.set("renaksi_session", planted, domain="testserver.local")
    assert_error(anon_client.get("/api/v1/auth/me"), 401)  # a planted id is nobody
    first = anon_client.post("/api/v1/auth/login", json={"username": "kasi", "password": PASSWORD})
    assert first.status_code == 201, first.text
    set_cookie = first.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "samesite=lax" in set_cookie.lower()
    cookie = anon_client.cookies.get("renaksi_session")
    assert cookie and cookie != planted  # never adopted
    csrf = login(anon_client, "kasi")["csrf_token"]
    assert anon_client.cookies.get("renaksi_session") != cookie  # new id at every login
    assert anon_client.get("/api/v1/auth/me").json()["username"] == "kasi"
    body = {"kind": "PROGRESS", "year": 2024, "quarter": 1}
    assert_error(anon_client.post("/api/v1/locks", json=body), 403)  # no CSRF token
    assert_error(
        anon_client.post(
            "/api/v1/locks", json=body, headers={"X-CSRF-Token": first.json()["csrf_token"]}
        ),
        403,
    )
    ok = anon_client.post("/api/v1/locks", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    # logging out makes the session id unusable
    old = anon_client.cookies.get("renaksi_session")
    anon_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    anon_client.cookies.set("renaksi_session", old or "", domain="testserver.local")
    assert_error(anon_client.get("/api/v1/auth/me"), 401)


def test_a_new_login_makes_the_session_the_browser_brought_unusable(
    anon_client: Client, session: Session
) -> None:
    make_user(session, "kasi", "koordinator")
    old_csrf = login(anon_client, "kasi")["csrf_token"]
    old = anon_client.cookies.get("renaksi_session")
    login(anon_client, "kasi")
    assert anon_client.cookies.get("renaksi_session") != old
    assert anon_client.get("/api/v1/auth/me").status_code == 200  # the new session works
    anon_client.cookies.clear()
    anon_client.cookies.set("renaksi_session", old or "", domain="testserver.local")
    assert_error(anon_client.get("/api/v1/auth/me"), 401)
    made = anon_client.post(
        "/api/v1/auth/tokens", json={"name": "curian"}, headers={"X-CSRF-Token": old_csrf}
    )
    assert_error(made, 401)
    assert session.scalar(sa.text("SELECT count(*) FROM api_token")) == 1  # make_user's only


def test_login_takes_json_only(anon_client: Client, session: Session) -> None:
    """A form on another site can post text/plain or urlencoded, never JSON (login CSRF)."""
    make_user(session, "kasi", "koordinator")
    body = json.dumps({"username": "kasi", "password": PASSWORD})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        refused = anon_client.post("/api/v1/auth/login", content=body, headers=headers)
        assert_error(refused, 415)
        assert "application/json" in refused.json()["detail"]
        assert "renaksi_session" not in refused.headers.get("set-cookie", "")
    ok = anon_client.post(
        "/api/v1/auth/login",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201, ok.text


def test_unknown_user_and_wrong_password_look_the_same_and_are_throttled(
    anon_client: Client, session: Session
) -> None:
    make_user(session, "budi", "bappeda")
    wrong = anon_client.post("/api/v1/auth/login", json={"username": "budi", "password": "x"})
    unknown = anon_client.post("/api/v1/auth/login", json={"username": "siapa", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    for _ in range(5):
        anon_client.post("/api/v1/auth/login", json={"username": "budi", "password": "x"})
    throttled = anon_client.post(
        "/api/v1/auth/login", json={"username": "budi", "password": PASSWORD}
    )
    assert_error(throttled, 429)


def test_disabling_a_user_ends_sessions_and_tokens(
    client: Client, anon_client: Client, session: Session, settings: Settings
) -> None:
    token = make_user(session, "rina", "bappeda")
    with TestClient(create_app(settings)) as browser:
        login(browser, "rina")
        with TestClient(create_app(settings)) as script:
            script.headers["Authorization"] = f"Bearer {token}"
            assert script.get("/api/v1/units").status_code == 200
            users = {u["username"]: u for u in client.get("/api/v1/users").json()}
            rina = users["rina"]
            assert_error(client.patch(f"/api/v1/users/{rina['id']}", json={"active": False}), 428)
            response = client.patch(
                f"/api/v1/users/{rina['id']}",
                json={"active": False},
                headers={"If-Match": f'"{rina["version"]}"'},
            )
            assert response.status_code == 200, response.text
            assert_error(script.get("/api/v1/units"), 401)
            assert_error(browser.get("/api/v1/auth/me"), 401)


def test_revoked_token_stops_working(client_as: MakeClient) -> None:
    api = client_as("bappeda")
    created = api.post("/api/v1/auth/tokens", json={"name": "skrip"}).json()
    with_token = client_as("bappeda")
    with_token.headers["Authorization"] = f"Bearer {created['secret']}"
    assert with_token.get("/api/v1/units").status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{created['token']['id']}").status_code == 204
    assert_error(with_token.get("/api/v1/units"), 401)


def test_a_token_s_last_use_is_written_down_to_the_hour(
    client_as: MakeClient, session: Session
) -> None:
    """``last_used_at`` tells a token still in use from a forgotten one, without a write per
    request, an audit row or a new data revision (cached answers stay)."""
    api = client_as("bappeda")
    created = api.post("/api/v1/auth/tokens", json={"name": "skrip"}).json()
    assert created["token"]["last_used_at"] is None
    token_id = created["token"]["id"]

    def last_used() -> Any:
        [token] = [t for t in api.get("/api/v1/auth/tokens").json() if t["id"] == token_id]
        return token["last_used_at"]

    def state() -> tuple[Any, ...]:
        session.rollback()
        revision = session.execute(sa.text("SELECT token FROM data_revision")).scalar()
        audit = session.scalar(sa.text("SELECT count(*) FROM audit_log"))
        return revision, audit

    script = client_as("bappeda")
    script.headers["Authorization"] = f"Bearer {created['secret']}"
    before = state()
    assert script.get("/api/v1/units").status_code == 200
    first = last_used()
    assert first is not None
    assert state() == before

    # a second use within the hour writes nothing
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(last_used_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    session.commit()
    assert script.get("/api/v1/units").status_code == 200
    assert last_used().startswith("2026-01-01")

    # the next hour's use does (as a new process would see it)
    service._noted_uses.clear()
    assert script.get("/api/v1/units").status_code == 200
    assert not last_used().startswith("2026-01-01")


def test_roles_are_enforced(client_as: MakeClient, demo_loaded: Session) -> None:
    bappeda = client_as("bappeda")
    assert_error(bappeda.post("/api/v1/actions", json={}), 403)
    assert_error(bappeda.get("/api/v1/users"), 403)
    planner = client_as("perencana", unit="DINKES")
    assert_error(planner.post("/api/v1/lapor/imports"), 403)
    assert_error(planner.get("/api/v1/reports/quarterly.xlsx?year=2024&quarter=1"), 403)
    koordinator = client_as("koordinator")
    action = koordinator.get("/api/v1/actions", params={"per_page": 1}).json()["items"][0]
    # the koordinator owns the plan but enters no budget
    assert_error(
        koordinator.post(
            "/api/v1/budget-lines",
            json={
                "action_id": action["id"],
                "year": 2025,
                "stage": "DPA",
                "source": "PAD",
                "amount": 1,
            },
        ),
        403,
    )


def _action_of(api: Client, unit: str) -> dict[str, Any]:
    items = api.get("/api/v1/actions", params={"unit": unit, "per_page": 500}).json()["items"]
    return next(a for a in items if a["lead_unit"] == unit)


def _line_beside(session: Session, unit: str) -> int:
    """An USULAN line of another unit on an action ``unit`` supports."""
    from renaksi.db.models import BudgetLine, Unit, action_supporting_units

    unit_id = session.scalar(sa.select(Unit.id).where(Unit.code == unit))
    supported = sa.select(action_supporting_units.c.action_id).where(
        action_supporting_units.c.unit_id == unit_id
    )
    line_id = session.scalar(
        sa.select(BudgetLine.id)
        .where(
            BudgetLine.stage == "USULAN",
            BudgetLine.unit_id != unit_id,
            BudgetLine.action_id.in_(supported),
        )
        .order_by(BudgetLine.id)
        .limit(1)
    )
    assert line_id is not None, "the demo has no such line"
    return line_id


def test_planner_cannot_touch_another_units_rows(
    client: Client, client_as: MakeClient, demo_loaded: Session, engine: sa.Engine
) -> None:
    other = _action_of(client, "PUPR")
    own = _action_of(client, "DINKES")
    # another unit's USULAN line on an action DINKES supports: the stage and the action would
    # let a DINKES planner through, only the unit check refuses
    other_line = client.get(f"/api/v1/budget-lines/{_line_beside(demo_loaded, 'DINKES')}").json()
    assert other_line["stage"] == "USULAN" and other_line["unit"] != "DINKES"
    dpa_line = client.get("/api/v1/budget-lines", params={"unit": "PUPR", "per_page": 100}).json()[
        "items"
    ]
    dpa_line = next(line for line in dpa_line if line["stage"] == "DPA")
    planner = client_as("perencana", unit="DINKES")
    before = dump_database(engine)

    # write another unit's usulan: by body, by id, by delete
    assert_error(
        planner.post(
            "/api/v1/budget-lines",
            json={
                "action_id": other["id"],
                "year": 2026,
                "stage": "USULAN",
                "source": "PAD",
                "amount": 5,
            },
        ),
        403,
    )
    assert_error(
        planner.post(
            "/api/v1/budget-lines",
            json={
                "action_id": own["id"],
                "year": 2026,
                "stage": "USULAN",
                "source": "PAD",
                "amount": 5,
                "unit": "PUPR",
            },
        ),
        403,
    )
    tag = {"If-Match": f'"{other_line["version"]}"'}
    refused = assert_error(
        planner.patch(f"/api/v1/budget-lines/{other_line['id']}", json={"amount": 1}, headers=tag),
        403,
    )
    assert "PD Anda sendiri" in refused["detail"]
    refused = assert_error(
        planner.delete(f"/api/v1/budget-lines/{other_line['id']}", headers=tag), 403
    )
    assert "PD Anda sendiri" in refused["detail"]
    # another unit's DPA line: refused for the unit, without telling its stage
    dpa_tag = {"If-Match": f'"{dpa_line["version"]}"'}
    refused = assert_error(
        planner.patch(
            f"/api/v1/budget-lines/{dpa_line['id']}", json={"amount": 1}, headers=dpa_tag
        ),
        403,
    )
    assert "PD Anda sendiri" in refused["detail"] and "DPA" not in refused["detail"]
    # read another unit's rows: by id, by filter, by list, by export
    assert_error(planner.get(f"/api/v1/budget-lines/{other_line['id']}"), 403)
    assert_error(planner.get("/api/v1/budget-lines", params={"unit": "PUPR"}), 403)
    assert_error(planner.get("/api/v1/actions", params={"unit": "PUPR"}), 403)
    assert_error(planner.get(f"/api/v1/actions/{other['id']}"), 403)
    assert_error(planner.get(f"/api/v1/actions/{other['id']}/progress"), 403)
    assert_error(planner.get("/api/v1/flags", params={"year": 2025, "unit": "PUPR"}), 403)
    assert_error(
        planner.get("/api/v1/reports/budget-gap.xlsx", params={"year": 2025, "unit": "PUPR"}), 403
    )
    # progress on another unit's action
    assert_error(
        planner.post(
            f"/api/v1/actions/{other['id']}/progress",
            json={"year": 2025, "quarter": 1, "status": "BERJALAN"},
        ),
        403,
    )
    # the body cannot smuggle in fields the planner may not set
    assert_error(
        planner.post(
            f"/api/v1/actions/{own['id']}/progress",
            json={"year": 2025, "quarter": 1, "status": "BERJALAN", "reported_by": "Bupati"},
        ),
        400,
    )
    assert dump_database(engine) == before

    lines = planner.get("/api/v1/budget-lines", params={"per_page": 1000}).json()["items"]
    assert lines and {line["unit"] for line in lines} == {"DINKES"}
    listed = planner.get("/api/v1/actions", params={"per_page": 500}).json()["items"]
    assert listed and all("DINKES" in {a["lead_unit"], *a["supporting_units"]} for a in listed)
    flags = planner.get("/api/v1/flags", params={"year": 2025}).json()
    assert {f["unit_code"] for f in flags} == {"DINKES"}

    # and their own unit works
    created = planner.post(
        "/api/v1/budget-lines",
        json={
            "action_id": own["id"],
            "year": 2026,
            "stage": "USULAN",
            "source": "PAD",
            "amount": 75_000_000,
        },
    )
    assert created.status_code == 201, created.text
    assert_error(
        planner.post(
            "/api/v1/budget-lines",
            json={
                "action_id": own["id"],
                "year": 2026,
                "stage": "DPA",
                "source": "PAD",
                "amount": 75_000_000,
            },
        ),
        403,
    )  # pagu is Bappeda's
    report = planner.post(
        f"/api/v1/actions/{own['id']}/progress",
        json={"year": 2026, "quarter": 3, "status": "BERJALAN", "progress_pct": 60},
    )
    assert report.status_code == 201, report.text
    assert report.json()["reported_by"].startswith("perencana")


def test_every_change_leaves_one_audit_row_and_a_failed_one_none(
    client: Client, demo_loaded: Session, engine: sa.Engine
) -> None:
    def audit_count() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one())

    action = _action_of(client, "DINKES")
    start = audit_count()
    created = client.post(
        "/api/v1/budget-lines",
        json={
            "action_id": action["id"],
            "year": 2026,
            "stage": "USULAN",
            "source": "HIBAH",
            "amount": 10,
        },
    )
    assert created.status_code == 201
    assert audit_count() == start + 1
    line_url = f"/api/v1/budget-lines/{created.json()['id']}"
    updated = client.patch(
        line_url, json={"amount": 20}, headers={"If-Match": client.get(line_url).headers["ETag"]}
    )
    assert updated.status_code == 200
    assert audit_count() == start + 2
    entries = client.get(
        "/api/v1/audit", params={"entity": "budget_line", "id": str(created.json()["id"])}
    ).json()
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["old"] == {"amount": 10}
    assert entries[0]["new"] == {"amount": 20}
    assert entries[0]["actor"] == "admin-uji" and entries[0]["request_id"]
    # a refused change writes no history
    stale = client.patch(line_url, json={"amount": 30}, headers={"If-Match": '"1"'})
    assert_error(stale, 412)
    assert audit_count() == start + 2
    assert_error(
        client.post(
            "/api/v1/budget-lines",
            json={
                "action_id": action["id"],
                "year": 2031,
                "stage": "USULAN",
                "source": "HIBAH",
                "amount": 10,
            },
        ),
        422,
    )
    assert audit_count() == start + 2
    deleted = client.delete(line_url, headers={"If-Match": '"2"'})
    assert deleted.status_code == 204
    assert audit_count() == start + 3
    history = client.get(f"/api/v1/actions/{action['id']}/history").json()
    assert [e["action"] for e in history[:3]] == ["delete", "update", "create"]


def test_audit_rows_cannot_be_changed(
    engine: sa.Engine, client: Client, units_loaded: Session
) -> None:
    import pytest

    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one() > 0
    statements = ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"]
    if engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text(statement))
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one() > 0


def test_stale_if_match_gets_412_with_the_current_version(
    client: Client, demo_loaded: Session
) -> None:
    action = _action_of(client, "DINKES")
    url = f"/api/v1/actions/{action['id']}"
    tag = client.get(url).headers["ETag"]
    first = client.patch(url, json={"note": "pertama"}, headers={"If-Match": tag})
    assert first.status_code == 200
    current = first.json()["version"]
    assert current == int(tag.strip('W/"')) + 1
    late = client.patch(url, json={"note": "kedua"}, headers={"If-Match": tag})
    body = assert_error(late, 412, field="If-Match")
    assert f"versi sekarang {current})" in body["detail"]
    assert body["errors"][0]["message"] == f"versi sekarang {current}"
    assert late.headers["ETag"] == f'"{current}"'  # retry with it after re-reading
    assert client.get(url).json()["note"] == "pertama"
    assert_error(client.patch(url, json={"note": "tanpa"}), 428)


def test_locked_periods_refuse_writes_until_an_admin_unlocks(
    client: Client, client_as: MakeClient, demo_loaded: Session
) -> None:
    koordinator = client_as("koordinator")
    planner = client_as("perencana", unit="DINKES")
    own = _action_of(client, "DINKES")
    lock = koordinator.post("/api/v1/locks", json={"kind": "PROGRESS", "year": 2026, "quarter": 2})
    assert lock.status_code == 201, lock.text
    refused = planner.post(
        f"/api/v1/actions/{own['id']}/progress",
        json={"year": 2026, "quarter": 2, "status": "BERJALAN"},
    )
    body = assert_error(refused, 423)
    assert "dikunci" in body["detail"]
    usulan = koordinator.post("/api/v1/locks", json={"kind": "USULAN", "year": 2026})
    assert usulan.status_code == 201
    assert_error(
        planner.post(
            "/api/v1/budget-lines",
            json={
                "action_id": own["id"],
                "year": 2026,
                "stage": "USULAN",
                "source": "PAD",
                "amount": 1,
            },
        ),
        423,
    )
    assert_error(koordinator.delete(f"/api/v1/locks/{lock.json()['id']}"), 403)
    assert client.delete(f"/api/v1/locks/{lock.json()['id']}").status_code == 204
    ok = planner.post(
        f"/api/v1/actions/{own['id']}/progress",
        json={"year": 2026, "quarter": 2, "status": "BERJALAN"},
    )
    assert ok.status_code == 201
    actions = {
        e["action"] for e in client.get("/api/v1/audit", params={"entity": "period_lock"}).json()
    }
    assert actions == {"create", "delete"}


def test_security_headers(client: Client) -> None:
    response = client.get("/api/v1/units")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def _protected(response: Any) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store", response.url
    assert response.headers["X-Request-ID"]


def test_security_headers_on_pages_downloads_and_errors(
    anon_client: Client, session: Session, demo_loaded: Session
) -> None:
    login_page = anon_client.get("/masuk")
    assert login_page.status_code == 200
    _protected(login_page)
    for path in ("/nope", "/api/v1/nope", "/api/v1/units/NOPE/x"):
        missing = anon_client.get(path)
        assert missing.status_code == 404, path
        _protected(missing)
    wrong_method = anon_client.put("/api/v1/units", json={})
    assert wrong_method.status_code == 405
    _protected(wrong_method)
    make_user(session, "budi", "bappeda")
    login(anon_client, "budi")
    for path in ("/beranda", "/aksi", "/laporan"):
        page = anon_client.get(path)
        assert page.status_code == 200, path
        _protected(page)
    for path in (
        "/laporan/selisih-anggaran.xlsx?tahun=2025",
        "/laporan/triwulan.xlsx?tahun=2024&triwulan=4&as_of=2024-12-31",
    ):
        workbook = anon_client.get(path)
        assert workbook.status_code == 200, path
        assert "attachment" in workbook.headers["content-disposition"]
        _protected(workbook)
    static = anon_client.get("/static/renaksi.css")
    assert static.status_code == 200 and static.headers["X-Content-Type-Options"] == "nosniff"
    assert static.headers.get("Cache-Control") != "no-store"  # the style sheet may be cached


def test_unknown_host_is_refused(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="http://evil.example") as api:
        assert api.get("/healthz").status_code == 400
        for path in ("/nope", "/api/v1/nope"):
            refused = api.get(path)  # no route: refused all the same, with the headers
            assert_error(refused, 400)
            _protected(refused)
        assert_error(api.put("/api/v1/units", json={}), 400)


def test_openapi_ui_can_be_switched_off(settings: Settings) -> None:
    import dataclasses

    with TestClient(create_app(dataclasses.replace(settings, openapi_ui=False))) as api:
        assert api.get("/schema/openapi.json").status_code == 200
        assert api.get("/schema").status_code == 404


def test_session_cookie_is_secure_outside_development(
    settings: Settings, session: Session, units_loaded: Session
) -> None:
    import dataclasses

    from tests.integration.web_support import login_token

    make_user(session, "kasi", "koordinator")
    production = dataclasses.replace(settings, development=False)
    with TestClient(create_app(production)) as api:
        response = api.post("/api/v1/auth/login", json={"username": "kasi", "password": PASSWORD})
        assert response.status_code == 201, response.text
        cookie = response.headers["set-cookie"]
        assert "renaksi_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    # over https, as in production: the client sends Secure cookies back only there
    with TestClient(create_app(production), base_url="https://testserver.local") as browser:
        form = browser.get("/masuk")
        assert "Secure" in form.headers["set-cookie"]  # the login form's CSRF cookie
        token = login_token(browser)
        response = browser.post(
            "/masuk",
            data={"username": "kasi", "password": PASSWORD, "_csrf": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        sessions = [c for c in response.headers.get_list("set-cookie") if "renaksi_session=" in c]
        assert sessions and all("Secure" in c and "HttpOnly" in c for c in sessions)
    with TestClient(create_app(settings)) as development:  # plain-HTTP demo and tests
        response = development.post(
            "/api/v1/auth/login", json={"username": "kasi", "password": PASSWORD}
        )
        assert "Secure" not in response.headers["set-cookie"]


def test_password_hash_is_upgraded_when_the_parameters_change(
    anon_client: Client, session: Session, engine: sa.Engine
) -> None:
    from argon2 import PasswordHasher

    make_user(session, "lama", "bappeda")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE app_user SET password_hash = :h WHERE username = 'lama'"), {"h": weak}
        )
    login(anon_client, "lama")
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT password_hash FROM app_user WHERE username = 'lama'")
        ).scalar_one()
    current = PasswordHasher()
    assert stored != weak and stored.startswith("$argon2id$")
    assert f"m={current.memory_cost},t={current.time_cost},p={current.parallelism}" in stored
    assert not current.check_needs_rehash(stored)
    login(anon_client, "lama")  # the new hash still takes the same password
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT old, new FROM audit_log WHERE entity = 'user' "
                "AND action = 'update' AND entity_id = (SELECT CAST(id AS VARCHAR(20)) "
                "FROM app_user WHERE username = 'lama')"
            )
        ).all()
    assert len(rows) == 1  # the upgrade, recorded once, as an upgrade and not a new password
    assert "hash diperbarui" in str(rows[0].new) and weak not in str(rows[0])


def test_the_last_active_admin_cannot_be_disabled(
    client: Client, session: Session, engine: sa.Engine
) -> None:
    """Not by themself, not by anyone: with no active admin nobody could manage accounts.
    Disabling an admin while another active admin remains is still allowed."""

    def users() -> dict[str, dict[str, Any]]:
        return {u["username"]: u for u in client.get("/api/v1/users").json()}

    def disable(name: str) -> Any:
        user = users()[name]
        return client.patch(
            f"/api/v1/users/{user['id']}",
            json={"active": False},
            headers={"If-Match": f'"{user["version"]}"'},
        )

    before = dump_database(engine)
    body = assert_error(disable("admin-uji"), 409, field="active")
    assert "admin aktif terakhir" in body["detail"]
    assert dump_database(engine) == before  # still active, token and all
    make_user(session, "admin-dua", "admin")
    make_user(session, "rina", "bappeda")
    assert disable("rina").status_code == 200  # (locks the admins, disables a non-admin)
    assert disable("admin-dua").status_code == 200  # admin-uji remains
    before = dump_database(engine)
    assert_error(disable("admin-uji"), 409, field="active")
    assert dump_database(engine) == before
    admin_dua = users()["admin-dua"]
    enabled = client.patch(
        f"/api/v1/users/{admin_dua['id']}",
        json={"active": True},
        headers={"If-Match": f'"{admin_dua["version"]}"'},
    )
    assert enabled.status_code == 200, enabled.text
    assert disable("admin-uji").status_code == 200  # on themself, now that admin-dua is back
    assert_error(client.get("/api/v1/users"), 401)  # their token ended with it


def test_two_admins_disabling_each_other_at_once_leave_one_active(
    engine: sa.Engine, session: Session
) -> None:
    """On PostgreSQL (READ COMMITTED) each would count the other as still active unless the
    admin rows are locked: the second waits for the first's commit and is then refused.
    (SQLite admits one writer at a time, so there the second waits at BEGIN.)"""
    make_user(session, "admin-satu", "admin")
    make_user(session, "admin-dua", "admin")
    ids = {u.username: u.id for u in service.list_users(session)}
    session.rollback()
    factory = make_session_factory(engine)
    flushed, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold(_session: Session) -> None:  # the first writer's change: flushed, not committed
        flushed.set()
        release.wait(10)

    def disable(actor: str, target: str, *, held: bool) -> None:
        with factory() as own:
            if held:
                event.listen(own, "before_commit", hold)
            try:
                service.update_user(
                    own, ids[target], UserUpdate(active=False), actor=Actor.system(actor)
                )
                outcome[actor] = "nonaktif"
            except ConflictError as exc:
                outcome[actor] = exc.errors[0].field

    first = threading.Thread(
        target=disable, args=("admin-satu", "admin-dua"), kwargs={"held": True}
    )
    second = threading.Thread(
        target=disable, args=("admin-dua", "admin-satu"), kwargs={"held": False}
    )
    first.start()
    assert flushed.wait(10)
    second.start()
    second.join(1)  # it waits for the first writer's lock
    release.set()
    first.join(30)
    second.join(30)
    assert outcome == {"admin-satu": "nonaktif", "admin-dua": "active"}
    with engine.connect() as conn:
        active = conn.execute(
            sa.text("SELECT username FROM app_user WHERE role = 'admin' AND active")
        ).scalars()
        assert list(active) == ["admin-satu"]
