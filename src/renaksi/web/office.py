"""*Anggaran PD* grid, *Kinerja pengaduan*, *Laporan* downloads."""

import datetime as dt
import re
from typing import Annotated, Any

import msgspec
import polars as pl
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.budget import queries as budget_queries
from renaksi.budget import schemas as budget_schemas
from renaksi.budget import service as budget
from renaksi.codes import FLAG_LABELS, KpiName, Role, Source, Stage
from renaksi.errors import FieldError, RenaksiError, ValidationError
from renaksi.lapor import service as lapor
from renaksi.lapor.kpi import KPI_SCHEMA, Period, latest_complete_quarter, missed_targets
from renaksi.plan import service as plan_service
from renaksi.reports import frames as report_frames
from renaksi.reports import queries as report_queries
from renaksi.reports import service as reports
from renaksi.settings import Settings
from renaksi.tabular import parse_rupiah
from renaksi.units import service as unit_service
from renaksi.web.actions import STAGE_LABELS, writable_stages
from renaksi.web.common import check_csrf, convert_form, field, page, redirect
from renaksi.web.home import current_year

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Anggaran PD: actions × years -------------------------------------------------------------


def _grid(
    session: Session, settings: Settings, actor: Actor, unit: str, stage: Stage | None
) -> dict[str, Any]:
    plans = plan_service.list_plans(session)
    plan = next((p for p in plans if p.start_year <= current_year(session) <= p.end_year), plans[0])
    years = list(range(plan.start_year, plan.end_year + 1))
    actions = [
        a
        for a in plan_service.list_actions(
            session, actor=actor, unit=unit, plan=plan.code, per_page=500
        ).items
        if a.lead_unit == unit
    ]
    flags = {
        (f.action_code, f.year): f
        for year in years
        for f in budget.list_flags(session, year=year, unit=unit, settings=settings, actor=actor)
    }
    lines = budget.list_lines(session, actor=actor, unit=unit, per_page=100000).items
    editable: dict[tuple[int, int], list[budget_schemas.BudgetLine]] = {}
    for line in lines:
        if line.stage is stage:
            editable.setdefault((line.action_id, line.year), []).append(line)
    return {
        "unit": unit,
        "years": years,
        "actions": actions,
        "flags": flags,
        "editable": editable,
        "stage": stage,
        "stages": writable_stages(actor),
        "stage_labels": STAGE_LABELS,
        "flag_labels": FLAG_LABELS,
        "sources": list(Source),
        "units": unit_service.list_units(session),
    }


@get("/anggaran", sync_to_thread=True)
def budget_grid(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    unit: str | None = None,
    tahap: str | None = None,
) -> Template:
    chosen = actor.unit_code if actor.is_planner else (unit or "DISKOMINFO")
    stages = writable_stages(actor)
    stage = Stage(tahap) if tahap in {s.value for s in stages} else (stages[0] if stages else None)
    return page(request, "budget.html", **_grid(db_session, settings, actor, chosen or "", stage))


#: a grid cell's name (``c-<action id>-<year>``) and its line reference (``<id>:<version>``)
_GRID_CELL = re.compile(r"^c-(\d{1,12})-(\d{4})$")
_GRID_REF = re.compile(r"^\d{1,12}:\d{1,9}$")


@post("/anggaran", sync_to_thread=True)
def budget_grid_save(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Template | Redirect:
    """Save every changed cell through the budget service; a refused cell (not allowed,
    stale, locked, unreadable) keeps what was typed and shows why, the others are saved, and
    the page says how many of each."""
    check_csrf(request, data)
    unit = (actor.unit_code if actor.is_planner else field(data, "unit")) or ""
    try:
        stage = Stage(field(data, "stage"))
    except ValueError:
        raise ValidationError(
            "Tahap anggaran tidak dikenal.",
            [
                FieldError(
                    field="stage", value=field(data, "stage")[:40], message="tahap tidak dikenal"
                )
            ],
        ) from None
    source = field(data, "source") or Source.PAD.value
    errors: dict[str, str] = {}
    saved = 0
    for key in [k for k in data if k.startswith("c-")]:
        typed, original = field(data, key), field(data, "o" + key[1:])
        if typed.replace(".", "") == original.replace(".", ""):
            continue
        cell = _GRID_CELL.match(key)
        ref = field(data, "v" + key[1:])
        if cell is None or (ref and not _GRID_REF.match(ref)):
            errors[key] = "Sel tidak dikenal; muat ulang halaman."
            continue
        action_id, year = cell.groups()
        try:
            amount = parse_rupiah(typed) if typed.strip() else 0
        except ValueError as exc:
            errors[key] = f"Jumlah: {exc}."
            continue
        try:
            if ref:
                line_id, version = (int(x) for x in ref.split(":"))
                budget.update_line(
                    db_session,
                    line_id,
                    convert_form(budget_schemas.BudgetLineUpdate, {"amount": amount}),
                    actor=actor,
                    expected_version=version,
                )
            else:
                payload = {
                    "action_id": int(action_id),
                    "year": int(year),
                    "stage": stage.value,
                    "source": source,
                    "amount": amount,
                    "unit": unit,
                }
                budget.create_line(
                    db_session, convert_form(budget_schemas.BudgetLineCreate, payload), actor=actor
                )
            saved += 1
        except RenaksiError as exc:
            # one cell's refusal, even "not allowed" (a hidden field edited by hand), is that
            # cell's: the cells saved before it stay saved, and the page says so
            db_session.rollback()
            errors[key] = exc.errors[0].message if exc.errors else exc.detail
    if errors:
        context = _grid(db_session, settings, actor, unit, stage)
        return page(
            request,
            "budget.html",
            status_code=422,
            errors=errors,
            values={k: v for k, v in data.items() if k.startswith("c-")},
            error_message=f"{saved} sel tersimpan, {len(errors)} sel ditolak; lihat pesan di sel.",
            **context,
        )
    return redirect(
        "/anggaran",
        f"{saved} sel anggaran tersimpan; flag diperbarui.",
        unit=unit,
        tahap=stage.value,
    )


# --- Kinerja pengaduan -----------------------------------------------------------------------


def kpi_columns(complete_days: int) -> list[tuple[KpiName, str]]:
    """Column labels of the KPI table; the completion limit is a setting, so is its label."""
    return [
        (KpiName.RECEIVED, "Diterima"),
        (KpiName.PCT_FOLLOWED_UP, "% ditindaklanjuti"),
        (KpiName.PCT_RESOLVED, "% selesai"),
        (KpiName.PCT_RESPONSE_ON_TIME, "% respons tepat waktu"),
        (KpiName.MEDIAN_RESPONSE_WORKDAYS, "Median hari kerja respons"),
        (KpiName.PCT_RESOLVED_WITHIN_60D, f"% selesai ≤ {complete_days} hari"),
    ]


def _chart(trend: list[tuple[str, float | None]]) -> dict[str, Any]:
    """Bars for a server-rendered SVG (0–100 %), no script needed."""
    width, height, gap = 320, 160, 16
    bar = (width - gap * (len(trend) + 1)) / max(len(trend), 1)
    bars = []
    for i, (label, value) in enumerate(trend):
        h = (value or 0) / 100 * (height - 30)
        bars.append(
            {
                "x": gap + i * (bar + gap),
                "y": height - 20 - h,
                "w": bar,
                "h": h,
                "label": label,
                "value": value,
            }
        )
    return {"width": width, "height": height, "bars": bars}


@get("/kinerja", sync_to_thread=True)
def performance(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    tahun: str | None = None,
    triwulan: str | None = None,
) -> Template:
    today = lapor.today_wita()
    latest = latest_complete_quarter(today)
    year, quarter = latest.year, latest.quarter or 4
    errors: dict[str, str] = {}
    typed = (tahun or "").strip()
    if typed:
        if typed.isdigit() and 2000 <= int(typed) <= today.year:
            year = int(typed)
        else:
            errors["tahun"] = f"Tahun 2000–{today.year}, mis. {latest.year}."
    if triwulan and triwulan.strip() in ("1", "2", "3", "4"):
        quarter = int(triwulan.strip())
    elif triwulan and triwulan.strip():
        errors["triwulan"] = "Triwulan 1–4."
    kpi_rows = lapor.kpis(db_session, settings=settings, year=year, quarter=quarter)
    frame = pl.DataFrame([msgspec.to_builtins(r) for r in kpi_rows], schema=KPI_SCHEMA)
    active_units: list[str] = []
    try:
        plan = plan_service.plan_for_year(db_session, year)
        links = budget_queries.kpi_targets_frame(db_session, plan.id, year)
        active_units = [
            a.unit_code for a in report_queries.active_actions(db_session, plan.id, year)
        ]
    except RenaksiError:
        links = pl.DataFrame()
    targets, status = {}, {}
    strictest = pl.DataFrame(schema={"unit_code": pl.String()})
    if links.height:
        strictest = report_frames.strictest_targets(links)
        for row in strictest.iter_rows(named=True):
            targets[(row["unit_code"], row["kpi"])] = row["target"]
        missed = {
            (r["unit_code"], r["kpi"]) for r in missed_targets(frame, links).iter_rows(named=True)
        }
        for key in targets:
            status[key] = "merah" if key in missed else "hijau"
    # as the quarterly report: units with complaints, a KPI target or an active action
    rows = report_frames.report_units(frame, strictest, active_units).to_dicts()
    # the quarter still running today: its figures are partial
    provisional = today <= Period(year, quarter).end
    trend = []
    for q in range(1, 5):
        total = lapor.kpis(db_session, settings=settings, year=year, quarter=q)
        value = next((r.pct_response_on_time for r in total if r.unit_code is None), None)
        trend.append((f"TW {q}", value))
    return page(
        request,
        "performance.html",
        status_code=422 if errors else 200,
        errors=errors,
        typed_year=typed if "tahun" in errors else None,
        provisional=provisional,
        year=year,
        quarter=quarter,
        rows=rows,
        columns=kpi_columns(lapor.sla_from(db_session, settings).complete_days),
        targets=targets,
        status=status,
        chart=_chart(trend),
    )


# --- Laporan: the two workbooks --------------------------------------------------------------


def _as_of(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            "Tanggal data tidak valid.",
            [FieldError(field="as_of", value=raw, message="pakai bentuk TTTT-BB-HH")],
        ) from None


@get("/laporan", sync_to_thread=True)
def report_form(request: Request[Any, Any, Any], db_session: Session, actor: Actor) -> Template:
    latest = latest_complete_quarter(lapor.today_wita())
    return page(
        request,
        "reports.html",
        units=unit_service.list_units(db_session),
        values={
            "tahun": current_year(db_session),
            "triwulan": latest.quarter,
            "tahun_tw": latest.year,
        },
        can_quarterly=actor.role is not Role.PERENCANA,
    )


def _whole(raw: str | None, name: str, label: str, example: str) -> int:
    """A year or quarter typed in a report form: a clear refusal beside the field, not a bare
    400, when it is empty or not a number."""
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 4:
        raise ValidationError(
            f"{label} harus diisi dengan angka.",
            [FieldError(field=name, value=text[:20], message=f"isi angka, mis. {example}")],
        )
    return int(text)


def _download(report: reports.RenderedReport) -> Response[bytes]:
    return Response(
        report.content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


def _report_error(
    request: Request[Any, Any, Any], session: Session, actor: Actor, exc: RenaksiError
) -> Template:
    session.rollback()
    return page(
        request,
        "reports.html",
        status_code=exc.status_code,
        units=unit_service.list_units(session),
        values=dict(request.query_params),
        errors={e.field or "": e.message for e in exc.errors},
        error_message=exc.detail,
        can_quarterly=actor.role is not Role.PERENCANA,
    )


@get("/laporan/selisih-anggaran.xlsx", sync_to_thread=True)
def download_budget_gap(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    tahun: str | None = None,
    unit: str | None = None,
    as_of: str | None = None,
) -> Response[bytes] | Template:
    try:
        report = reports.render_budget_gap(
            db_session,
            settings=settings,
            year=_whole(tahun, "year", "Tahun", "2025"),
            unit=unit or None,
            as_of=_as_of(as_of),
            actor=actor,
        )
    except RenaksiError as exc:
        if exc.status_code == 403:
            raise
        return _report_error(request, db_session, actor, exc)
    return _download(report)


@get("/laporan/triwulan.xlsx", sync_to_thread=True)
def download_quarterly(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    tahun: str | None = None,
    triwulan: str | None = None,
    as_of: str | None = None,
) -> Response[bytes] | Template:
    try:
        report = reports.render_quarterly(
            db_session,
            settings=settings,
            year=_whole(tahun, "year", "Tahun", "2025"),
            quarter=_whole(triwulan, "quarter", "Triwulan", "4"),
            as_of=_as_of(as_of),
        )
    except RenaksiError as exc:
        return _report_error(request, db_session, actor, exc)
    return _download(report)
