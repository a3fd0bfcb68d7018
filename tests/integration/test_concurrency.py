"""Concurrent writers through two server processes on one database: no lost update and no
"database is locked"."""

import threading
from collections import Counter

import httpx
from sqlalchemy.orm import Session

from tests.conftest import make_user

WRITERS = 8
INCREMENTS = 5


def test_concurrent_increments_lose_nothing(
    two_servers: list[str], session: Session, demo_loaded: Session
) -> None:
    token = make_user(session, "admin-paralel", "admin")
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.Client(base_url=two_servers[i % 2], headers=headers, timeout=60)
        for i in range(WRITERS)
    ]
    line = clients[0].get("/api/v1/budget-lines", params={"per_page": 1}).json()["items"][0]
    url = f"/api/v1/budget-lines/{line['id']}"
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def writer(client: httpx.Client) -> None:
        done = attempts = 0
        while done < INCREMENTS and attempts < 300:
            attempts += 1
            current = client.get(url)
            response = client.patch(
                url,
                json={"amount": current.json()["amount"] + 1},
                headers={"If-Match": current.headers["ETag"]},
            )
            with lock:
                statuses[response.status_code] += 1
                if response.status_code not in (200, 412):
                    failures.append(response.text)
                    return
            done += response.status_code == 200

    threads = [threading.Thread(target=writer, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    for client in clients:
        client.close()
    assert not failures, failures[:3]  # no 500, no "database is locked"
    assert statuses[200] == WRITERS * INCREMENTS
    final = httpx.get(f"{two_servers[1]}{url}", headers=headers).json()
    assert final["amount"] == line["amount"] + WRITERS * INCREMENTS  # zero lost updates
    assert final["version"] == line["version"] + WRITERS * INCREMENTS
