"""*Daftar aksi* and *Detail aksi*: filters, history, budget lines and the per-role forms."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.auth.policy import STAGE_WRITERS
from renaksi.budget import schemas as budget_schemas
from renaksi.budget import service as budget
from renaksi.codes import FLAG_LABELS, Flag, ProgressStatus, Role, Source, Stage
from renaksi.errors import FieldError, NotFoundError, RenaksiError, ValidationError
from renaksi.http import form_version
from renaksi.lapor.service import today_wita as lapor_today
from renaksi.plan import kpi_links
from renaksi.plan import schemas as plan_schemas
from renaksi.plan import service as plan_service
from renaksi.settings import Settings
from renaksi.tabular import parse_number, parse_rupiah
from renaksi.units import service as unit_service
from renaksi.web import trend
from renaksi.web.common import (
    check_csrf,
    convert_form,
    field,
    form_state,
    is_refusal,
    page,
    redirect,
)
from renaksi.web.home import current_year

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PER_PAGE = 20
STATUS_LABELS = {
    ProgressStatus.BELUM_MULAI: "Belum mulai",
    ProgressStatus.BERJALAN: "Berjalan",
    ProgressStatus.SELESAI: "Selesai",
    ProgressStatus.TERTUNDA: "Tertunda",
    ProgressStatus.DIBATALKAN: "Dibatalkan",
}
STAGE_LABELS = {
    Stage.USULAN: "Usulan",
    Stage.DPA: "Pagu DPA",
    Stage.DPPA: "Pagu DPPA",
    Stage.REALISASI: "Realisasi",
}


def writable_stages(actor: Actor) -> list[Stage]:
    """The stages the policy lets this role write (the service checks again on save)."""
    return [stage for stage, roles in STAGE_WRITERS.items() if actor.role in roles]


def _enum(kind: type[Any], raw: str | None) -> Any:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


@get("/aksi", sync_to_thread=True)
def action_list(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    unit: str | None = None,
    tahun: str | None = None,
    status: str | None = None,
    flag: str | None = None,
    q: str | None = None,
    halaman: int = 1,
) -> Template:
    year = int(tahun) if tahun and tahun.isdigit() else None
    chosen_flag = _enum(Flag, flag)
    if chosen_flag is not None and year is None:
        year = current_year(db_session)
    if actor.is_planner:
        unit = actor.unit_code
    result = plan_service.list_actions(
        db_session,
        actor=actor,
        unit=unit or None,
        year=year,
        status=_enum(ProgressStatus, status),
        flag=chosen_flag,
        search=q,
        page=max(halaman, 1),
        per_page=PER_PAGE,
        settings=settings,
    )
    pages = max((result.total + PER_PAGE - 1) // PER_PAGE, 1)
    filters = {
        "unit": unit or "",
        "tahun": year or "",
        "status": status or "",
        "flag": flag or "",
        "q": q or "",
    }
    return page(
        request,
        "actions.html",
        result=result,
        pages=pages,
        filters=filters,
        units=unit_service.list_units(db_session),
        statuses=STATUS_LABELS,
        flags=FLAG_LABELS,
        years=range(2022, 2027),
    )


def _detail_context(
    session: Session, settings: Settings, actor: Actor, action_id: int
) -> dict[str, Any]:
    action = plan_service.get_action(session, action_id, actor=actor)  # 403 for other units
    progress = plan_service.list_progress(session, action_id, actor=actor)
    lines = budget.list_lines(session, actor=actor, action_id=action_id, per_page=1000).items
    by_year: dict[int, list[budget_schemas.BudgetLine]] = {}
    for line in lines:
        by_year.setdefault(line.year, []).append(line)
    years = sorted({t.year for t in action.targets} | set(by_year))
    flags = {}
    for year in years:
        # get_action above already refused actions outside a planner's unit; this action's own
        # flags are then readable even when another unit leads it
        rows = budget.list_flags(session, year=year, unit=action.lead_unit, settings=settings)
        flags[year] = next((r for r in rows if r.action_code == action.code), None)
    links = kpi_links.list_links(session, action_id, actor=actor)
    return {
        "action": action,
        "progress": progress,
        "lines_by_year": by_year,
        "years": years,
        "year_flags": flags,
        "links": links,
        "trends": trend.link_trends(session, settings, links),
        "stages": writable_stages(actor),
        "sources": list(Source),
        "statuses": STATUS_LABELS,
        "stage_labels": STAGE_LABELS,
        "flag_labels": FLAG_LABELS,
        "can_report": actor.role in (Role.ADMIN, Role.KOORDINATOR, Role.PERENCANA),
        # a planner of a supporting unit sees the action's flags, not the lead unit's money
        # (as the API: budget lines and per-unit flags of another unit are refused)
        "money_hidden": actor.is_planner and action.lead_unit != actor.unit_code,
        **_progress_defaults(session, action.plan),
    }


def _progress_defaults(session: Session, plan_code: str) -> dict[str, Any]:
    """The progress form's years (the action's plan) and what it proposes: the running
    quarter of this year, or the last quarter of the plan's last year once it is over."""
    plan = next(p for p in plan_service.list_plans(session) if p.code == plan_code)
    today = lapor_today()
    year = min(max(today.year, plan.start_year), plan.end_year)
    quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
    return {
        "plan_years": list(range(plan.start_year, plan.end_year + 1)),
        "default_year": year,
        "default_quarter": quarter,
    }


@get("/aksi/{action_id:int}", sync_to_thread=True)
def action_detail(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    action_id: int,
) -> Template:
    return page(request, "action.html", **_detail_context(db_session, settings, actor, action_id))


def _rerender(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    actor: Actor,
    action_id: int,
    exc: RenaksiError,
    form_name: str,
    data: dict[str, Any],
) -> Template:
    """The detail page again, with what was typed and each message beside its field."""
    session.rollback()
    context = _detail_context(session, settings, actor, action_id)
    return page(
        request,
        "action.html",
        status_code=exc.status_code,
        **form_state(form_name, data, exc),
        **context,
    )


def _number(
    data: dict[str, Any], name: str, label: str, *, whole: bool = False
) -> float | int | None:
    raw = field(data, name).replace(" ", "")
    if not raw:
        return None
    try:
        # as a workbook cell: Rp 1.500.000,00 or 1500000; 75,5 or 75.5; never NaN or Infinity
        return parse_rupiah(raw) if whole else parse_number(raw)
    except ValueError as exc:
        why = str(exc)
        detail = f"{label} harus berupa angka" if why.startswith("bukan") else f"{label}: {why}"
        raise ValidationError(
            f"{detail}.", [FieldError(field=name, value=raw, message=detail)]
        ) from None


@post("/aksi/{action_id:int}/progres", sync_to_thread=True)
def add_progress(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    action_id: int,
    data: Form,
) -> Template | Redirect:
    check_csrf(request, data)
    try:
        year, quarter = field(data, "year"), field(data, "quarter")
        payload = {
            "year": int(year) if year.isdigit() else year,
            "quarter": int(quarter) if quarter.isdigit() else quarter,
            "status": field(data, "status"),
            "achieved_value": _number(data, "achieved_value", "Capaian"),
            "progress_pct": _number(data, "progress_pct", "Kemajuan (%)"),
            "problems": field(data, "problems") or None,
            "follow_up": field(data, "follow_up") or None,
        }
        report = plan_service.add_progress(
            db_session, action_id, convert_form(plan_schemas.ProgressCreate, payload), actor=actor
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return _rerender(request, db_session, settings, actor, action_id, exc, "progress", data)
    return redirect(
        f"/aksi/{action_id}",
        f"Laporan kemajuan triwulan {report.quarter} tahun {report.year} tersimpan.",
    )


def _line_of_action(
    session: Session, actor: Actor, action_id: int, line_id: str
) -> budget_schemas.BudgetLine:
    """The line a form on this action's page names: 404 for an id of no known shape or a
    line of another action, whatever the URL says."""
    if not line_id.isdigit() or len(line_id) > 12:
        raise NotFoundError("Baris anggaran tidak ditemukan.")
    line = budget.get_line(session, int(line_id), actor=actor)
    if line.action_id != action_id:
        raise NotFoundError(f"Baris anggaran {line_id} bukan milik aksi ini.")
    return line


@post("/aksi/{action_id:int}/anggaran/{line_id:int}/hapus", sync_to_thread=True)
def delete_budget_line(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    action_id: int,
    line_id: int,
    data: Form,
) -> Template | Redirect:
    """Delete a line of this action (a wrong entry): the line's own rights and locks, and
    the version the page showed (a line changed since is not deleted unseen)."""
    check_csrf(request, data)
    try:
        line = _line_of_action(db_session, actor, action_id, str(line_id))
        budget.delete_line(
            db_session,
            line_id,
            actor=actor,
            expected_version=form_version(field(data, "version")),
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        db_session.rollback()
        return _rerender(
            request, db_session, settings, actor, action_id, exc, f"line-{line_id}", data
        )
    return redirect(
        f"/aksi/{action_id}",
        f"Baris anggaran {STAGE_LABELS[line.stage]} {line.year} "
        f"({line.source}, {line.unit}) dihapus.",
    )


@post("/aksi/{action_id:int}/anggaran", sync_to_thread=True)
def save_budget_line(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    action_id: int,
    data: Form,
) -> Template | Redirect:
    """Add a line, or revise one (``line_id`` + ``version`` → ``expected_version``)."""
    check_csrf(request, data)
    line_id = field(data, "line_id")
    form_name = f"line-{line_id}" if line_id else "new-line"
    try:
        amount = _number(data, "amount", "Jumlah", whole=True)
        if amount is None:
            raise ValidationError(
                "Jumlah wajib diisi.", [FieldError(field="amount", message="Jumlah wajib diisi")]
            )
        note = field(data, "note") or None
        if line_id:
            _line_of_action(db_session, actor, action_id, line_id)
            change: dict[str, Any] = {"amount": amount}
            if "note" in data:  # a form without the field leaves the note as it is
                change["note"] = note
            line = budget.update_line(
                db_session,
                int(line_id),
                convert_form(budget_schemas.BudgetLineUpdate, change),
                actor=actor,
                expected_version=form_version(field(data, "version")),
            )
            message = f"Baris anggaran {STAGE_LABELS[line.stage]} {line.year} diperbarui."
        else:
            year = field(data, "year")
            payload = {
                "action_id": action_id,
                "year": int(year) if year.isdigit() else year,
                "stage": field(data, "stage"),
                "source": field(data, "source"),
                "amount": amount,
                "note": note,
                # a planner budgets from their own unit, also on actions their unit supports
                "unit": actor.unit_code if actor.is_planner else None,
            }
            line = budget.create_line(
                db_session, convert_form(budget_schemas.BudgetLineCreate, payload), actor=actor
            )
            message = f"Baris anggaran {STAGE_LABELS[line.stage]} {line.year} ditambahkan."
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return _rerender(request, db_session, settings, actor, action_id, exc, form_name, data)
    return redirect(f"/aksi/{action_id}", message)
