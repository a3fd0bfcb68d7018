"""Uploads: refused before the body is read when the caller may not import, and capped by
``RENAKSI_MAX_UPLOAD_BYTES`` (413) rather than by a fixed ceiling."""

import dataclasses
from collections.abc import Callable, Iterator

import litestar.datastructures.upload_file as upload_file
import pytest
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.settings import Settings
from tests.conftest import make_user
from tests.integration.shapes import assert_error
from tests.integration.web_support import csrf_of, web_clients

Client = TestClient  # type: ignore[type-arg]
BIG = b"nomor,tanggal\n" + b"x" * (3 * 1024 * 1024)


@pytest.fixture
def uploads_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files Litestar's multipart parser turned into ``UploadFile`` objects."""
    seen: list[str] = []
    original = upload_file.UploadFile.__init__

    def spy(self: upload_file.UploadFile, *args: object, **kwargs: object) -> None:
        seen.append(str(kwargs.get("filename", args[1] if len(args) > 1 else "?")))
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upload_file.UploadFile, "__init__", spy)
    return seen


@pytest.fixture
def small_limit(settings: Settings) -> Settings:
    return dataclasses.replace(settings, max_upload_bytes=100_000)


@pytest.fixture
def web_as(small_limit: Settings, units_loaded: Session) -> Iterator[Callable[..., Client]]:
    with web_clients(small_limit, units_loaded) as login:
        yield login


def test_anonymous_upload_is_refused_before_it_is_read(
    anon_client: Client, uploads_parsed: list[str]
) -> None:
    web = anon_client.post(
        "/impor",
        files={"file": ("lapor.csv", BIG, "text/csv")},
        data={"kind": "lapor"},
        follow_redirects=False,
    )
    assert web.status_code == 303 and web.headers["location"].startswith("/masuk")
    api = anon_client.post("/api/v1/lapor/imports", files={"file": ("lapor.csv", BIG, "text/csv")})
    assert_error(api, 401)
    assert uploads_parsed == []  # the multipart body was never parsed


def test_wrong_role_upload_is_refused_before_it_is_read(
    web_as: Callable[..., Client], settings: Settings, session: Session, uploads_parsed: list[str]
) -> None:
    planner = web_as("perencana", unit="DINKES")
    csrf = csrf_of(planner.get("/beranda").text)
    web = planner.post(
        "/impor", files={"file": ("lapor.csv", BIG, "text/csv")}, data={"_csrf": csrf}
    )
    assert web.status_code == 403 and "bukan untuk peran Anda" in web.text
    token = make_user(session, "bappeda-api", "bappeda")
    with TestClient(create_app(settings)) as script:
        script.headers["Authorization"] = f"Bearer {token}"
        api = script.post("/api/v1/lapor/imports", files={"file": ("lapor.csv", BIG, "text/csv")})
    assert_error(api, 403)
    assert uploads_parsed == []


def test_upload_over_the_configured_limit_gets_413(
    web_as: Callable[..., Client], small_limit: Settings, session: Session
) -> None:
    coordinator = web_as("koordinator")
    csrf = csrf_of(coordinator.get("/impor").text)
    web = coordinator.post(
        "/impor", files={"file": ("lapor.csv", BIG, "text/csv")}, data={"_csrf": csrf}
    )
    assert web.status_code == 413 and "terlalu besar" in web.text.lower()
    token = make_user(session, "koordinator-api", "koordinator")
    with TestClient(create_app(small_limit)) as script:
        script.headers["Authorization"] = f"Bearer {token}"
        api = script.post("/api/v1/lapor/imports", files={"file": ("lapor.csv", BIG, "text/csv")})
        assert_error(api, 413)
        # under the limit the same route reads the file (and reports what is wrong with it)
        small = script.post(
            "/api/v1/lapor/imports", files={"file": ("lapor.csv", b"nomor\n1\n", "text/csv")}
        )
        assert_error(small, 422)
