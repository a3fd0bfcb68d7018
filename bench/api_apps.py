"""The two ASGI apps ``bench/api.py`` serves with uvicorn ``--factory``.

``renaksi_app``: the real app from ``RENAKSI_DATABASE_URL``. ``bare_app``: a Litestar app with
the same three GET paths returning the same Structs, decoded once from the snapshot file named
by ``RENAKSI_BENCH_SNAPSHOT`` and held in memory — no database, no dependencies, no thread
offload: the floor of what Litestar + msgspec + uvicorn can serve on this machine.
"""

import os
from pathlib import Path

import msgspec
from litestar import Litestar, get

from renaksi.app import create_app
from renaksi.budget.schemas import ActionYearFlags
from renaksi.lapor.schemas import KpiRow
from renaksi.plan.schemas import Action
from renaksi.schemas import Page
from renaksi.settings import Settings


class Snapshot(msgspec.Struct):
    actions: Page[Action]
    flags: list[ActionYearFlags]
    kpis: list[KpiRow]


def renaksi_app() -> Litestar:
    return create_app(Settings.from_env())


def bare_app() -> Litestar:
    snap = msgspec.json.decode(
        Path(os.environ["RENAKSI_BENCH_SNAPSHOT"]).read_bytes(), type=Snapshot
    )

    @get("/api/v1/actions", sync_to_thread=False)
    def actions() -> Page[Action]:
        return snap.actions

    @get("/api/v1/flags", sync_to_thread=False)
    def flags() -> list[ActionYearFlags]:
        return snap.flags

    @get("/api/v1/kpis", sync_to_thread=False)
    def kpis() -> list[KpiRow]:
        return snap.kpis

    @get("/healthz", sync_to_thread=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([actions, flags, kpis, healthz], debug=False)
