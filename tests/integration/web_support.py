"""Browser-like web clients for the page tests: log in through the form, read form tokens."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.settings import Settings
from tests.conftest import PASSWORD, make_user

Client = TestClient  # type: ignore[type-arg]


def csrf_of(html: str) -> str:
    """The first form's CSRF token on a page."""
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found[1]


def login_token(client: Client) -> str:
    """The login form's CSRF token (its cookie is kept by the client)."""
    return csrf_of(client.get("/masuk").text)


def log_in(client: Client, username: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/masuk",
        data={"username": username, "password": password, "_csrf": login_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@contextmanager
def web_clients(settings: Settings, session: Session) -> Iterator[Callable[..., Client]]:
    """``login(role, unit=None)`` → a new user of that role, logged in via the form."""
    opened: list[Client] = []

    def login(role: str, unit: str | None = None) -> Client:
        username = f"{role}-web-{len(opened)}"
        make_user(session, username, role, unit)
        client = TestClient(create_app(settings))
        client.__enter__()
        opened.append(client)
        log_in(client, username)
        return client

    try:
        yield login
    finally:
        for client in opened:
            client.__exit__(None, None, None)
