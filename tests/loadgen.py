"""A bounded load generator: simulated users of every role read and write through the HTTP
API for a fixed time, each keeping its own tally of the writes the server acknowledged; the
tally is then checked against what the database holds.

Used by ``tests/integration/test_load.py`` and ``bench/load.py``. It only speaks HTTP (httpx,
one thread and one keep-alive connection per simulated user), so it can be pointed at any
running renaksi with an API token for each user.

Writes, all on rows several users share, so they race:

* ``line+``: add :data:`LINE_STEP` Rupiah to a budget line (usulan: admin and the unit's
  perencana; DPA: admin and bappeda) — GET for the ETag, PATCH with ``If-Match``;
* ``baseline+``: add 1 to an action's baseline (admin, koordinator) — the same way;
* ``target+``: add 1 to an action's target for :data:`WRITE_YEAR` (admin, koordinator): the
  PATCH replaces the action's target rows, a child table, so it also shows that the parent's
  version guards its children;
* ``progress+``: append a quarterly progress report to an action (admin, koordinator, the
  perencana of a unit that leads or supports it).

A 412 (someone else wrote in between) is the optimistic lock working: the user reads again
and retries, as the API asks. Anything else that is not the expected 2xx is an error.
"""

import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
#: Rupiah added per acknowledged budget-line write
LINE_STEP = 1_000
#: 412s in a row before a write gives up (counted as an error: a user could never save)
MAX_ATTEMPTS = 100
#: plan year written to; complaint year whose flags and KPIs are read (the demo's last)
WRITE_YEAR = 2025
READ_YEAR = 2024
AS_OF = "2024-12-31"
#: the roles, cycled over the simulated users; planners are bound to a unit
ROLES: list[tuple[str, str | None]] = [
    ("admin", None),
    ("koordinator", None),
    ("perencana", "DINKES"),
    ("bappeda", None),
    ("perencana", "PUPR"),
]


@dataclass(frozen=True)
class Caller:
    """One simulated user: who they are, their API token and the server they talk to."""

    name: str
    role: str
    unit: str | None
    token: str
    base_url: str


@dataclass(frozen=True)
class SharedRows:
    """The shared rows written during the run, as they were before it."""

    all_actions: list[int]
    #: action id → action JSON, for the actions of the planners' units
    actions: dict[int, dict[str, Any]]
    #: action id → its lead and supporting unit codes
    action_units: dict[int, set[str]]
    #: line id → budget line JSON (usulan of the planners' units, DPA of those actions)
    lines: dict[int, dict[str, Any]]
    #: action id → ids of its progress reports
    reports: dict[int, set[int]]
    #: ("budget_line" | "action" | "action_target", id) → audit "update" rows before the run
    audit_updates: dict[tuple[str, int], int]


@dataclass
class Tally:
    """One user's record of the run (merged at the end; no locking while it runs)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    ops: Counter[str] = field(default_factory=Counter)
    retries_412: int = 0
    errors: list[str] = field(default_factory=list)
    line_writes: Counter[int] = field(default_factory=Counter)
    baseline_writes: Counter[int] = field(default_factory=Counter)
    target_writes: Counter[int] = field(default_factory=Counter)
    reports: dict[int, list[int]] = field(default_factory=dict)

    def merge(self, other: "Tally") -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.statuses.update(other.statuses)
        self.ops.update(other.ops)
        self.retries_412 += other.retries_412
        self.errors.extend(other.errors)
        self.line_writes.update(other.line_writes)
        self.baseline_writes.update(other.baseline_writes)
        self.target_writes.update(other.target_writes)
        for action_id, ids in other.reports.items():
            self.reports.setdefault(action_id, []).extend(ids)


# --- before the run ----------------------------------------------------------------------------


def _audit_updates(admin: httpx.Client, entity: str, entity_id: int | str) -> int:
    response = admin.get(
        f"{API}/audit", params={"entity": entity, "id": str(entity_id), "limit": 5000}
    )
    response.raise_for_status()
    return sum(1 for row in response.json() if row["action"] == "update")


def find_shared_rows(admin: httpx.Client, units: list[str]) -> SharedRows:
    """Pick the shared rows (through the API, as an admin) and record their state."""
    actions = admin.get(f"{API}/actions", params={"per_page": 500})
    actions.raise_for_status()
    items = actions.json()["items"]
    action_units = {a["id"]: {a["lead_unit"], *a["supporting_units"]} for a in items}
    mine = {a["id"]: a for a in items if action_units[a["id"]] & set(units)}
    response = admin.get(f"{API}/budget-lines", params={"year": WRITE_YEAR, "per_page": 1000})
    response.raise_for_status()
    lines = {
        line["id"]: line
        for line in response.json()["items"]
        if line["action_id"] in mine
        and line["unit"] in action_units[line["action_id"]] & set(units)
        and line["stage"] in ("USULAN", "DPA")
    }
    reports = {}
    for action_id in mine:
        progress = admin.get(f"{API}/actions/{action_id}/progress")
        progress.raise_for_status()
        reports[action_id] = {r["id"] for r in progress.json()}
    audit = {("budget_line", i): _audit_updates(admin, "budget_line", i) for i in lines}
    audit |= {("action", i): _audit_updates(admin, "action", i) for i in mine}
    audit |= {
        ("action_target", i): _audit_updates(admin, "action_target", f"{i}:{WRITE_YEAR}")
        for i in mine
    }
    return SharedRows(
        all_actions=sorted(action_units),
        actions=mine,
        action_units={i: action_units[i] for i in mine},
        lines=lines,
        reports=reports,
        audit_updates=audit,
    )


def year_target(action: dict[str, Any]) -> float | None:
    """The action's target for :data:`WRITE_YEAR` (None: not active that year)."""
    return next((t["value"] for t in action["targets"] if t["year"] == WRITE_YEAR), None)


# --- the run -----------------------------------------------------------------------------------

Op = Callable[[httpx.Client, random.Random, Tally], None]


class _User:
    """What one caller does: a weighted mix of the reads and writes its role may make."""

    def __init__(self, caller: Caller, shared: SharedRows) -> None:
        self.caller = caller
        self.shared = shared
        role, unit = caller.role, caller.unit
        own = [i for i, units in shared.action_units.items() if unit in units]
        self.visible = own if role == "perencana" else shared.all_actions
        self.progress_actions = own if role == "perencana" else list(shared.actions)
        if role == "bappeda":
            self.progress_actions = []
        self.baseline_actions = list(shared.actions) if role in ("admin", "koordinator") else []
        self.target_actions = [
            i for i in self.baseline_actions if year_target(shared.actions[i]) is not None
        ]
        self.lines = [
            i
            for i, line in shared.lines.items()
            if role == "admin"
            or (role == "perencana" and line["stage"] == "USULAN" and line["unit"] == unit)
            or (role == "bappeda" and line["stage"] == "DPA")
        ]
        ops: list[tuple[int, Op]] = [
            (12, self.list_actions),
            (10, self.get_action),
            (6, self.flags),
            (8, self.kpis),
            (6, self.summary),
            (6, self.list_lines),
            (6, self.list_progress),
            (1, self.report),
        ]
        if role != "perencana":
            ops.append((4, self.audit))
        if self.lines:
            ops.append((10, self.add_to_line))
        if self.baseline_actions:
            ops.append((6, self.add_to_baseline))
        if self.target_actions:
            ops.append((3, self.add_to_target))
        if self.progress_actions:
            ops.append((6, self.add_report))
        self.weights = [w for w, _ in ops]
        self.ops = [op for _, op in ops]

    # one request, timed; None (and an error noted) unless its status is expected
    @staticmethod
    def call(
        http: httpx.Client,
        tally: Tally,
        kind: str,
        method: str,
        url: str,
        expect: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:  # connection refused/reset, timeout, protocol error
            tally.errors.append(f"{kind} {method} {url}: {type(exc).__name__}: {exc}")
            return None
        tally.latencies.setdefault(kind, []).append(time.perf_counter() - start)
        tally.statuses[response.status_code] += 1
        if response.status_code not in expect:
            tally.errors.append(
                f"{kind} {method} {url} → {response.status_code}: {response.text[:300]}"
            )
            return None
        return response

    # reads
    def list_actions(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        params: dict[str, Any] = {"page": 1, "per_page": 50}
        if rng.random() < 0.5:
            params["year"] = WRITE_YEAR
        self.call(http, tally, "actions", "GET", f"{API}/actions", params=params)

    def get_action(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        self.call(http, tally, "action", "GET", f"{API}/actions/{rng.choice(self.visible)}")

    def list_progress(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        action_id = rng.choice(self.visible)
        self.call(http, tally, "progress", "GET", f"{API}/actions/{action_id}/progress")

    def flags(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        params = {"year": READ_YEAR, "as_of": AS_OF}
        if rng.random() < 0.5:
            params = {"year": WRITE_YEAR}
        self.call(http, tally, "flags", "GET", f"{API}/flags", params=params)

    def kpis(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        params = {"year": READ_YEAR, "quarter": rng.randint(1, 4), "as_of": AS_OF}
        self.call(http, tally, "kpis", "GET", f"{API}/kpis", params=params)

    def summary(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        self.call(http, tally, "summary", "GET", f"{API}/summary", params={"year": WRITE_YEAR})

    def list_lines(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        params = {"year": WRITE_YEAR, "per_page": 100}
        self.call(http, tally, "budget-lines", "GET", f"{API}/budget-lines", params=params)

    def audit(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        self.call(http, tally, "audit", "GET", f"{API}/audit", params={"limit": 50})

    def report(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        params = {"year": WRITE_YEAR}
        url = f"{API}/reports/budget-gap.xlsx"
        response = self.call(http, tally, "report", "GET", url, params=params)
        if response is not None and not response.content.startswith(b"PK"):
            tally.errors.append(f"report: not an XLSX ({response.content[:20]!r})")

    # writes
    def read_modify_write(
        self,
        http: httpx.Client,
        tally: Tally,
        kind: str,
        url: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> bool:
        """GET, ``change`` the body into a PATCH, send it with If-Match; again on 412."""
        for _ in range(MAX_ATTEMPTS):
            current = self.call(http, tally, f"{kind} GET", "GET", url)
            if current is None:
                return False
            patch = change(current.json())
            written = self.call(
                http,
                tally,
                f"{kind} PATCH",
                "PATCH",
                url,
                expect=(200, 412),
                json=patch,
                headers={"If-Match": current.headers["ETag"]},
            )
            if written is None:
                return False
            if written.status_code == 200:
                answer = {name: written.json()[name] for name in patch}
                if answer != patch:
                    tally.errors.append(f"{kind} {url}: sent {patch}, acknowledged {answer}")
                    return False
                return True
            tally.retries_412 += 1
        tally.errors.append(f"{kind} {url}: still 412 after {MAX_ATTEMPTS} attempts")
        return False

    def add_to_line(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        line_id = rng.choice(self.lines)
        url = f"{API}/budget-lines/{line_id}"
        if self.read_modify_write(
            http, tally, "line", url, lambda line: {"amount": line["amount"] + LINE_STEP}
        ):
            tally.line_writes[line_id] += 1

    def add_to_baseline(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        action_id = rng.choice(self.baseline_actions)
        url = f"{API}/actions/{action_id}"
        if self.read_modify_write(
            http, tally, "baseline", url, lambda action: {"baseline": (action["baseline"] or 0) + 1}
        ):
            tally.baseline_writes[action_id] += 1

    def add_to_target(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        action_id = rng.choice(self.target_actions)
        url = f"{API}/actions/{action_id}"

        def change(action: dict[str, Any]) -> dict[str, Any]:
            bump = [
                {"year": t["year"], "value": t["value"] + (t["year"] == WRITE_YEAR)}
                for t in action["targets"]
            ]
            return {"targets": bump}

        if self.read_modify_write(http, tally, "target", url, change):
            tally.target_writes[action_id] += 1

    def add_report(self, http: httpx.Client, rng: random.Random, tally: Tally) -> None:
        action_id = rng.choice(self.progress_actions)
        body = {
            "year": WRITE_YEAR,
            "quarter": rng.randint(1, 4),
            "status": "BERJALAN",
            "progress_pct": rng.randint(0, 100),
            "problems": f"uji beban oleh {self.caller.name}",
        }
        url = f"{API}/actions/{action_id}/progress"
        response = self.call(http, tally, "progress POST", "POST", url, expect=(201,), json=body)
        if response is not None:
            tally.reports.setdefault(action_id, []).append(response.json()["id"])

    def run(self, deadline: float, seed: int, tally: Tally) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {self.caller.token}"}
        with httpx.Client(base_url=self.caller.base_url, headers=headers, timeout=30) as http:
            while time.monotonic() < deadline:
                op = rng.choices(self.ops, weights=self.weights)[0]
                tally.ops[op.__name__] += 1
                op(http, rng, tally)


def run(callers: list[Caller], shared: SharedRows, *, seconds: float, seed: int = 7) -> Tally:
    """Every caller in its own thread for ``seconds``; the merged tally."""
    deadline = time.monotonic() + seconds
    tallies = [Tally() for _ in callers]
    threads = [
        threading.Thread(
            target=_User(caller, shared).run, args=(deadline, seed + i, tally), name=caller.name
        )
        for i, (caller, tally) in enumerate(zip(callers, tallies, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = Tally()
    for tally in tallies:
        merged.merge(tally)
    return merged


# --- after the run -----------------------------------------------------------------------------


def lost_updates(admin: httpx.Client, shared: SharedRows, tally: Tally) -> tuple[int, list[str]]:
    """Writes acknowledged but missing from the database (or present but never acknowledged):
    their number, and one line per row that disagrees."""
    lost = 0
    problems: list[str] = []

    def compare(what: str, acked: int, held: int, *, counts: bool = True) -> None:
        """``counts``: the value itself; version and audit rows only corroborate it."""
        nonlocal lost
        if held != acked:
            lost += abs(acked - held) if counts else 0
            problems.append(f"{what}: {acked} writes acknowledged, {held} in the database")

    for line_id, before in shared.lines.items():
        now = admin.get(f"{API}/budget-lines/{line_id}").json()
        acked = tally.line_writes[line_id]
        compare(
            f"budget line {line_id} amount", acked, (now["amount"] - before["amount"]) // LINE_STEP
        )
        compare(
            f"budget line {line_id} version",
            acked,
            now["version"] - before["version"],
            counts=False,
        )
        audited = _audit_updates(admin, "budget_line", line_id)
        compare(
            f"budget line {line_id} audit",
            acked,
            audited - shared.audit_updates["budget_line", line_id],
            counts=False,
        )
    for action_id, before in shared.actions.items():
        now = admin.get(f"{API}/actions/{action_id}").json()
        acked = tally.baseline_writes[action_id]
        compare(
            f"action {action_id} baseline",
            acked,
            round((now["baseline"] or 0) - (before["baseline"] or 0)),
        )
        targeted = tally.target_writes[action_id]
        if targeted or year_target(before) is not None:
            compare(
                f"action {action_id} target {WRITE_YEAR}",
                targeted,
                round((year_target(now) or 0) - (year_target(before) or 0)),
            )
        compare(
            f"action {action_id} version",
            acked + targeted,
            now["version"] - before["version"],
            counts=False,
        )
        audited = _audit_updates(admin, "action", action_id)
        audited -= shared.audit_updates["action", action_id]
        compare(f"action {action_id} audit", acked, audited, counts=False)
        audited = _audit_updates(admin, "action_target", f"{action_id}:{WRITE_YEAR}")
        audited -= shared.audit_updates["action_target", action_id]
        compare(f"action {action_id} target audit", targeted, audited, counts=False)
        held = [r["id"] for r in admin.get(f"{API}/actions/{action_id}/progress").json()]
        new = set(held) - shared.reports[action_id]
        acked_ids = set(tally.reports.get(action_id, []))
        if new != acked_ids or len(held) != len(set(held)):
            lost += len(new ^ acked_ids)
            problems.append(
                f"action {action_id} progress: acknowledged {sorted(acked_ids - new)} missing, "
                f"unacknowledged {sorted(new - acked_ids)} present"
            )
    return lost, problems


def _ms(values: list[float], q: float) -> float:
    """Quantile ``q`` in milliseconds (nearest rank)."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(tally: Tally, seconds: float) -> dict[str, Any]:
    """What the run measured, as plain numbers."""
    every = [v for values in tally.latencies.values() for v in values]
    per_kind = {
        kind: {
            "requests": len(values),
            "p50_ms": round(_ms(values, 0.50), 1),
            "p99_ms": round(_ms(values, 0.99), 1),
        }
        for kind, values in sorted(tally.latencies.items())
    }
    return {
        "seconds": round(seconds, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(_ms(every, 0.50), 1) if every else None,
        "p99_ms": round(_ms(every, 0.99), 1) if every else None,
        "mean_ms": round(1000 * statistics.fmean(every), 1) if every else None,
        "statuses": dict(sorted(tally.statuses.items())),
        "operations": dict(sorted(tally.ops.items())),
        "retries_412": tally.retries_412,
        "errors": len(tally.errors),
        "writes_acknowledged": {
            "line+": sum(tally.line_writes.values()),
            "baseline+": sum(tally.baseline_writes.values()),
            "target+": sum(tally.target_writes.values()),
            "progress+": sum(len(ids) for ids in tally.reports.values()),
        },
        "per_kind": per_kind,
    }


def format_figures(numbers: dict[str, Any], lost: int) -> str:
    """The figures as a small text table (printed by the test and the bench script)."""
    lines = [
        f"{numbers['requests']} requests in {numbers['seconds']} s = "
        f"{numbers['requests_per_s']} req/s; p50 {numbers['p50_ms']} ms, "
        f"p99 {numbers['p99_ms']} ms; statuses {numbers['statuses']}",
        f"writes acknowledged {numbers['writes_acknowledged']}; 412 retries "
        f"{numbers['retries_412']}; errors {numbers['errors']}; lost updates {lost}",
        f"{'kind':<16} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    for kind, row in numbers["per_kind"].items():
        lines.append(f"{kind:<16} {row['requests']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8}")
    return "\n".join(lines)
