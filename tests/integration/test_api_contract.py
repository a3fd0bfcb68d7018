"""What the API promises whatever it is sent: documented routes, one error shape, never a 500."""

from typing import Any

import pytest

from tests.integration.conftest import Shared
from tests.integration.shapes import ERROR_KEYS, assert_error

ROUTES = {
    "/api/v1/units": {"get", "post"},
    "/api/v1/units/{code}": {"get", "patch"},
    "/api/v1/units/{code}/aliases": {"post"},
    "/api/v1/plans": {"get"},
    "/api/v1/actions": {"get", "post"},
    "/api/v1/actions/{action_id}": {"get", "patch"},
    "/api/v1/actions/{action_id}/progress": {"get", "post"},
    "/api/v1/budget-lines": {"get", "post"},
    "/api/v1/budget-lines/{line_id}": {"get", "patch", "delete"},
    "/api/v1/flags": {"get"},
    "/api/v1/summary": {"get"},
}


def test_openapi_lists_every_route(shared_demo: Shared) -> None:
    response = shared_demo.client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    for path, methods in ROUTES.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert all(path.startswith("/api/v1/") for path in paths)
    # the one error shape is documented, and referenced by the error responses
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == ERROR_KEYS
    missing = paths["/api/v1/actions/{action_id}"]["get"]["responses"]["404"]
    assert "ErrorBody" in str(missing)


def test_schema_page_is_html(shared_demo: Shared) -> None:
    response = shared_demo.client.get("/schema")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


LONG = "x" * 10_000
HUGE = 10**30

HOSTILE_GETS = [
    "/api/v1/units/" + LONG,
    "/api/v1/units/%00",
    "/api/v1/units/DISKOMINFO%00",
    "/api/v1/actions/99999999999999999999",
    "/api/v1/actions/2147483648",  # one past PostgreSQL's integer
    "/api/v1/actions/0",
    "/api/v1/actions/-1",
    "/api/v1/actions/satu",
    "/api/v1/actions/1.5",
    "/api/v1/actions/99999999999999999999/progress",
    "/api/v1/actions?year=99999999999999999999",
    "/api/v1/actions?year=dua",
    "/api/v1/actions?year=1999",
    "/api/v1/actions?page=0",
    "/api/v1/actions?page=99999999999",
    "/api/v1/actions?per_page=100000",
    "/api/v1/actions?status=SELESAI_SEMUA",
    "/api/v1/actions?flag=MAHAL&year=2025",
    "/api/v1/actions?q=" + LONG,
    "/api/v1/actions?q=%00",
    "/api/v1/actions?unit=" + LONG,
    "/api/v1/actions?unit=%00",
    "/api/v1/actions?plan=%00",
    "/api/v1/actions?plan=RENAKSI-2099",
    "/api/v1/budget-lines/99999999999999999999",
    "/api/v1/budget-lines?action_id=99999999999999999999",
    "/api/v1/budget-lines?action_id=-3",
    "/api/v1/budget-lines?unit=%00",
    "/api/v1/budget-lines?year=2025.5",
    "/api/v1/flags?year=" + "9" * 40,
    "/api/v1/flags?year=2025&unit=%00",
    "/api/v1/flags?year=2025&flagged=mungkin",
    "/api/v1/flags?year=2025&as_of=kemarin",
    "/api/v1/summary?year=2025&plan=" + LONG,
    "/api/v1/summary?year=",
    "/api/v1/tidak-ada",
]


@pytest.mark.parametrize("url", HOSTILE_GETS, ids=lambda u: u[:60])
def test_hostile_queries_get_a_4xx_in_our_shape(shared_demo: Shared, url: str) -> None:
    assert_error(shared_demo.client.get(url), (400, 404, 405, 422))


def _bodies(action_id: int, line_id: int) -> list[tuple[str, str, Any]]:
    action = f"/api/v1/actions/{action_id}"
    return [
        ("POST", "/api/v1/units", {"code": "X", "name": "Unit", "kind": "dinas", "id": 5}),
        ("POST", "/api/v1/units", {"code": 5, "name": "Unit", "kind": "dinas"}),
        ("POST", "/api/v1/units", {"code": LONG, "name": "Unit", "kind": "dinas"}),
        ("POST", "/api/v1/units", {"code": "X", "name": LONG, "kind": "dinas"}),
        ("POST", "/api/v1/units", {"code": "X", "name": "a\x00b", "kind": "dinas"}),
        ("POST", "/api/v1/units", {"code": "X", "name": "Unit", "kind": "dinas", "aliases": "A"}),
        ("POST", "/api/v1/units", [1, 2, 3]),
        ("POST", "/api/v1/units", None),
        ("POST", "/api/v1/units/DISKOMINFO/aliases", {"alias": ["a"]}),
        ("POST", "/api/v1/units/DISKOMINFO/aliases", {"alias": "x\x00"}),
        ("POST", "/api/v1/actions", {"code": "X.1"}),
        ("POST", "/api/v1/actions", {"code": "X.1", "objective": LONG, "title": LONG}),
        (
            "POST",
            "/api/v1/actions",
            {
                "code": "X.1",
                "objective": "o",
                "title": "t",
                "indicator": "i",
                "measure_unit": "m",
                "lead_unit": "DISKOMINFO",
                "targets": [{"year": HUGE, "value": 1}],
            },
        ),
        (
            "POST",
            "/api/v1/actions",
            {
                "code": "X.1",
                "objective": "o",
                "title": "t",
                "indicator": "i",
                "measure_unit": "m",
                "lead_unit": "DISKOMINFO",
                "targets": "2025",
            },
        ),
        ("POST", f"{action}/progress", {"year": 2025, "quarter": HUGE, "status": "BERJALAN"}),
        ("POST", f"{action}/progress", {"year": "2025", "quarter": [1], "status": "BERJALAN"}),
        (
            "POST",
            f"{action}/progress",
            {"year": 2025, "quarter": 1, "status": "BERJALAN", "problems": "a" * 10_001},
        ),
        (
            "POST",
            f"{action}/progress",
            {"year": 2025, "quarter": 1, "status": "BERJALAN", "progress_pct": HUGE},
        ),
        (
            "POST",
            "/api/v1/budget-lines",
            {"action_id": HUGE, "year": 2025, "stage": "USULAN", "source": "PAD", "amount": 1},
        ),
        (
            "POST",
            "/api/v1/budget-lines",
            {
                "action_id": action_id,
                "year": 2025,
                "stage": "USULAN",
                "source": "PAD",
                "amount": HUGE,
            },
        ),
        (
            "POST",
            "/api/v1/budget-lines",
            {
                "action_id": action_id,
                "year": 2025,
                "stage": "USULAN",
                "source": "PAD",
                "amount": True,
            },
        ),
        (
            "POST",
            "/api/v1/budget-lines",
            {"action_id": action_id, "year": HUGE, "stage": "USULAN", "source": "PAD", "amount": 1},
        ),
        (
            "POST",
            "/api/v1/budget-lines",
            {
                "action_id": action_id,
                "year": 2025,
                "stage": "USULAN",
                "source": "PAD",
                "amount": 1,
                "note": "\x00",
            },
        ),
        ("PATCH", f"/api/v1/budget-lines/{line_id}", {"amount": HUGE}),
        ("PATCH", f"/api/v1/budget-lines/{line_id}", {"amount": "banyak"}),
        ("PATCH", action, {"baseline": "nol"}),
        ("PATCH", action, {"targets": [{"year": 2025, "value": "satu"}]}),
        ("PATCH", "/api/v1/units/DISKOMINFO", {"kind": None}),
    ]


def test_hostile_bodies_get_a_4xx_in_our_shape_and_write_nothing(shared_demo: Shared) -> None:
    api = shared_demo.client
    action_id = api.get("/api/v1/actions?per_page=1").json()["items"][0]["id"]
    line = api.get("/api/v1/budget-lines?per_page=1").json()["items"][0]
    before = {
        "units": api.get("/api/v1/units").json(),
        "actions": api.get("/api/v1/actions?per_page=500").json(),
        "lines": api.get("/api/v1/budget-lines?per_page=1000").json(),
        "progress": api.get(f"/api/v1/actions/{action_id}/progress").json(),
    }
    failures = []
    for method, url, body in _bodies(action_id, line["id"]):
        etag = api.get(url).headers.get("ETag") if method == "PATCH" else None
        response = api.request(method, url, json=body, headers={"If-Match": etag} if etag else {})
        try:
            assert_error(response, (400, 404, 409, 422))
        except AssertionError as exc:
            failures.append((method, url, str(body)[:80], str(exc)[:300]))
    assert failures == []
    after = {
        "units": api.get("/api/v1/units").json(),
        "actions": api.get("/api/v1/actions?per_page=500").json(),
        "lines": api.get("/api/v1/budget-lines?per_page=1000").json(),
        "progress": api.get(f"/api/v1/actions/{action_id}/progress").json(),
    }
    assert after == before


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad json",
        b'{"code": "X", "name": "Unit", "kind": "dinas"',  # cut off
        b'{"code": 1e999}',  # a number no float holds
        b'{"code": NaN}',
        b"",
        b"\xff\xfe\x00",
        b'{"code": "X", "code": "Y"}',
        b"[" * 10_000,
    ],
    ids=["broken", "truncated", "huge-float", "nan", "empty", "not-utf8", "dup-key", "deep"],
)
def test_unreadable_json_is_a_bad_request(shared_demo: Shared, raw: bytes) -> None:
    response = shared_demo.client.post(
        "/api/v1/units", content=raw, headers={"content-type": "application/json"}
    )
    assert_error(response, (400, 422))


def test_oversized_body_is_refused(shared_demo: Shared) -> None:
    body = b'{"code": "X", "name": "' + b"x" * 1_100_000 + b'", "kind": "dinas"}'
    response = shared_demo.client.post(
        "/api/v1/units", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 413)
