"""Who may call what: one table of every route and the roles allowed.

The tables (:data:`ROUTES` for the API, :data:`WEB_ROUTES` for the pages) are checked by a
guard on every request (before any handler runs, and before a body is read) and a test fails
when a route is missing from them. Row-level rules — a perencana (planner) touches only
their own unit's usulan and progress — are enforced in the services, which receive the
:class:`~renaksi.auth.actor.Actor`, so the API, the CLI and the web pages obey the same rules.
"""

import re

from renaksi.codes import Role, Stage
from renaksi.errors import FieldError, ForbiddenError

A, K, P, B = Role.ADMIN, Role.KOORDINATOR, Role.PERENCANA, Role.BAPPEDA
ALL = frozenset(Role)
PUBLIC: frozenset[Role] = frozenset()  # no login needed (marked separately below)

# Who may write, named once: the route tables below and the services' own checks
# (:func:`require_role`, called with the actor) use these same sets, so a handler that
# forgets its guard still cannot let another role write.
USER_ADMINS = frozenset({A})  # accounts: create, change, deactivate, set a password
UNIT_WRITERS = frozenset({A})  # units: create, change, import the unit list
ALIAS_WRITERS = frozenset({A, K})  # a unit's aliases (matching LAPOR! names)
KPI_LINK_WRITERS = frozenset({A, K})
LOCKERS = frozenset({A, K})
UNLOCKERS = frozenset({A})
COMPLAINT_IMPORTERS = frozenset({A, K})
HOLIDAY_WRITERS = frozenset({A})
SLA_WRITERS = frozenset({A})
PLAN_WRITERS = frozenset({A, K})  # actions and the plan workbook import

#: (method, path template) → roles allowed. Path templates without parameter types.
ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    # accounts
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ALL,
    ("GET", "/api/v1/auth/me"): ALL,
    ("GET", "/api/v1/auth/tokens"): ALL,
    ("POST", "/api/v1/auth/tokens"): ALL,
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): ALL,
    ("GET", "/api/v1/users"): frozenset({A}),
    ("POST", "/api/v1/users"): USER_ADMINS,
    ("PATCH", "/api/v1/users/{user_id}"): USER_ADMINS,
    ("GET", "/api/v1/audit"): frozenset({A, K, B}),
    # units
    ("GET", "/api/v1/units"): ALL,
    ("GET", "/api/v1/units/{code}"): ALL,
    ("POST", "/api/v1/units"): UNIT_WRITERS,
    ("PATCH", "/api/v1/units/{code}"): UNIT_WRITERS,
    ("POST", "/api/v1/units/{code}/aliases"): ALIAS_WRITERS,
    # plan
    ("GET", "/api/v1/plans"): ALL,
    ("GET", "/api/v1/actions"): ALL,
    ("POST", "/api/v1/actions"): PLAN_WRITERS,
    ("GET", "/api/v1/actions/{action_id}"): ALL,
    ("PATCH", "/api/v1/actions/{action_id}"): PLAN_WRITERS,
    ("GET", "/api/v1/actions/{action_id}/history"): ALL,
    ("GET", "/api/v1/actions/{action_id}/progress"): ALL,
    ("POST", "/api/v1/actions/{action_id}/progress"): frozenset({A, K, P}),
    ("GET", "/api/v1/actions/{action_id}/kpi-links"): ALL,
    ("POST", "/api/v1/actions/{action_id}/kpi-links"): KPI_LINK_WRITERS,
    ("DELETE", "/api/v1/kpi-links/{link_id}"): KPI_LINK_WRITERS,
    ("GET", "/api/v1/locks"): ALL,
    ("POST", "/api/v1/locks"): LOCKERS,
    ("DELETE", "/api/v1/locks/{lock_id}"): UNLOCKERS,
    # budget
    ("GET", "/api/v1/budget-lines"): ALL,
    ("POST", "/api/v1/budget-lines"): frozenset({A, P, B}),
    ("GET", "/api/v1/budget-lines/{line_id}"): ALL,
    ("PATCH", "/api/v1/budget-lines/{line_id}"): frozenset({A, P, B}),
    ("DELETE", "/api/v1/budget-lines/{line_id}"): frozenset({A, P, B}),
    ("GET", "/api/v1/flags"): ALL,
    ("GET", "/api/v1/summary"): ALL,
    # complaints
    ("POST", "/api/v1/lapor/imports"): COMPLAINT_IMPORTERS,
    ("GET", "/api/v1/lapor/imports"): frozenset({A, K, B}),
    ("GET", "/api/v1/lapor/unmatched"): frozenset({A, K}),
    ("GET", "/api/v1/lapor/warnings"): frozenset({A, K, B}),
    ("GET", "/api/v1/kpis"): ALL,
    ("GET", "/api/v1/holidays"): ALL,
    ("POST", "/api/v1/holidays"): HOLIDAY_WRITERS,
    ("DELETE", "/api/v1/holidays/{day}"): HOLIDAY_WRITERS,
    ("GET", "/api/v1/settings/sla"): ALL,
    ("PUT", "/api/v1/settings/sla"): SLA_WRITERS,
    # reports
    ("GET", "/api/v1/reports/budget-gap.xlsx"): ALL,
    ("GET", "/api/v1/reports/quarterly.xlsx"): frozenset({A, K, B}),
}
PUBLIC_ROUTES = {key for key, roles in ROUTES.items() if roles is PUBLIC}

#: The web pages and forms, checked by a guard on the web router the same way. A form that
#: writes through the same service as an API route admits exactly that route's roles.
WEB_ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/"): PUBLIC,  # to Beranda or to the login page
    ("GET", "/masuk"): PUBLIC,
    ("POST", "/masuk"): PUBLIC,
    ("POST", "/keluar"): ALL,
    ("GET", "/beranda"): ALL,
    ("GET", "/aksi"): ALL,
    ("GET", "/aksi/{action_id}"): ALL,
    ("POST", "/aksi/{action_id}/progres"): ROUTES[("POST", "/api/v1/actions/{action_id}/progress")],
    ("POST", "/aksi/{action_id}/anggaran"): ROUTES[("POST", "/api/v1/budget-lines")],
    ("POST", "/aksi/{action_id}/anggaran/{line_id}/hapus"): ROUTES[
        ("DELETE", "/api/v1/budget-lines/{line_id}")
    ],
    ("GET", "/anggaran"): ALL,
    ("POST", "/anggaran"): ROUTES[("POST", "/api/v1/budget-lines")],
    ("GET", "/kinerja"): ALL,
    ("GET", "/laporan"): ALL,
    ("GET", "/laporan/selisih-anggaran.xlsx"): ROUTES[("GET", "/api/v1/reports/budget-gap.xlsx")],
    ("GET", "/laporan/triwulan.xlsx"): ROUTES[("GET", "/api/v1/reports/quarterly.xlsx")],
    ("GET", "/impor"): ROUTES[("POST", "/api/v1/lapor/imports")],
    ("POST", "/impor"): ROUTES[("POST", "/api/v1/lapor/imports")],
    ("POST", "/impor/alias"): ROUTES[("POST", "/api/v1/units/{code}/aliases")],
    ("GET", "/admin"): frozenset({A, K}),
    ("POST", "/admin/kunci"): ROUTES[("POST", "/api/v1/locks")],
    ("POST", "/admin/kunci/{lock_id}/buka"): ROUTES[("DELETE", "/api/v1/locks/{lock_id}")],
    ("POST", "/admin/libur"): ROUTES[("POST", "/api/v1/holidays")],
    ("POST", "/admin/libur/{day}/hapus"): ROUTES[("DELETE", "/api/v1/holidays/{day}")],
    ("POST", "/admin/sla"): ROUTES[("PUT", "/api/v1/settings/sla")],
    ("POST", "/admin/pengguna"): ROUTES[("POST", "/api/v1/users")],
    ("POST", "/admin/pengguna/{user_id}/status"): ROUTES[("PATCH", "/api/v1/users/{user_id}")],
    ("POST", "/admin/pd"): ROUTES[("POST", "/api/v1/units")],
    ("GET", "/admin/pd/{code}"): ROUTES[("PATCH", "/api/v1/units/{code}")]
    | ROUTES[("POST", "/api/v1/units/{code}/aliases")],
    ("POST", "/admin/pd/{code}"): ROUTES[("PATCH", "/api/v1/units/{code}")],
    ("POST", "/admin/pd/{code}/alias"): ROUTES[("POST", "/api/v1/units/{code}/aliases")],
}

#: which budget stages each role may write (planners: usulan of their own unit only)
STAGE_WRITERS: dict[Stage, frozenset[Role]] = {
    Stage.USULAN: frozenset({A, P}),
    Stage.DPA: frozenset({A, B}),
    Stage.DPPA: frozenset({A, B}),
    Stage.REALISASI: frozenset({A, B}),
}

_PARAM_TYPE = re.compile(r"\{(\w+):[^}]+\}")


def route_key(method: str, path: str) -> tuple[str, str]:
    """``("GET", "/api/v1/units/{code:str}")`` → ``("GET", "/api/v1/units/{code}")``."""
    template = _PARAM_TYPE.sub(r"{\1}", path)
    return method.upper(), template.rstrip("/") or "/"


def roles_for(method: str, path_template: str) -> frozenset[Role] | None:
    """Roles allowed on a route; None when the route is not in the table (refused)."""
    return ROUTES.get(route_key(method, path_template))


def require_role(role: Role, allowed: frozenset[Role], what: str) -> None:
    """Refuse a role not in ``allowed`` (before anything is written): "Peran X tidak boleh …"."""
    if role not in allowed:
        raise ForbiddenError(f"Peran {role.value} tidak boleh {what}.")


def require_stage(role: Role, stage: Stage) -> None:
    if role not in STAGE_WRITERS[stage]:
        raise ForbiddenError(
            f"Peran {role.value} tidak boleh mengisi anggaran tahap {stage.value}.",
            [FieldError(field="stage", value=stage.value, message="tahap ini bukan wewenang Anda")],
        )
