"""Budget lines (usulan, DPA/DPPA, realisasi) and the flags and summaries derived from them."""

from datetime import date

import msgspec
import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from renaksi.auth import scope
from renaksi.auth.actor import Actor
from renaksi.auth.policy import require_stage
from renaksi.auth.service import check_version
from renaksi.budget import flags as rules
from renaksi.budget import queries, schemas
from renaksi.codes import Flag, LockKind, Stage
from renaksi.db import revision
from renaksi.db.engine import write_transaction
from renaksi.db.models import Action, BudgetLine, Plan, Unit
from renaksi.errors import ConflictError, FieldError, NotFoundError
from renaksi.lapor import service as lapor
from renaksi.lapor.kpi import missed_targets, priority_view
from renaksi.locks.service import ensure_open
from renaksi.plan.service import check_year, plan_for_year
from renaksi.schemas import Page
from renaksi.settings import Settings

LineUnit = aliased(Unit)


def _line_query() -> sa.Select[BudgetLine, str, str]:
    return (
        sa.select(BudgetLine, Action.code, LineUnit.code)
        .join(Action, Action.id == BudgetLine.action_id)
        .join(LineUnit, LineUnit.id == BudgetLine.unit_id)
    )


def _to_schema(line: BudgetLine, action_code: str, unit_code: str) -> schemas.BudgetLine:
    return schemas.BudgetLine(
        id=line.id,
        action_id=line.action_id,
        action_code=action_code,
        year=line.year,
        stage=line.stage,
        source=line.source,
        unit=unit_code,
        amount=line.amount,
        note=line.note,
        version=line.version,
    )


def list_lines(
    session: Session,
    *,
    actor: Actor,
    action_id: int | None = None,
    unit: str | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = 100,
) -> Page[schemas.BudgetLine]:
    unit = scope.unit_filter(actor, unit)  # planners: their own unit's lines only
    query = _line_query()
    if action_id is not None:
        query = query.where(BudgetLine.action_id == action_id)
    if unit is not None:
        query = query.where(LineUnit.code == unit)
    if year is not None:
        query = query.where(BudgetLine.year == year)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(
            Action.code, BudgetLine.year, BudgetLine.stage, BudgetLine.source, LineUnit.code
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(items=[_to_schema(*r) for r in rows], total=total, page=page, per_page=per_page)


def get_line(session: Session, line_id: int, *, actor: Actor) -> schemas.BudgetLine:
    row = session.execute(_line_query().where(BudgetLine.id == line_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"Baris anggaran dengan id {line_id} tidak ditemukan.")
    scope.ensure_unit(actor, row[0].unit_id)
    return _to_schema(*row)


def _check_write(session: Session, actor: Actor, line: BudgetLine) -> None:
    """Who may write this line: the stage's role; a planner only for their own unit, on an
    action their unit leads or supports; nobody for usulan of a locked year. The unit comes
    first: a refusal on another unit's line must not tell its stage."""
    scope.ensure_unit(actor, line.unit_id)
    scope.ensure_action(session, actor, line.action_id)
    require_stage(actor.role, line.stage)
    if line.stage is Stage.USULAN:
        ensure_open(session, LockKind.USULAN, line.year)


def _get_for_write(session: Session, line_id: int) -> BudgetLine:
    line = session.get(BudgetLine, line_id, with_for_update=True)  # as an action is
    if line is None:
        raise NotFoundError(f"Baris anggaran dengan id {line_id} tidak ditemukan.")
    return line


def _duplicate(session: Session, line: BudgetLine) -> None:
    clash = session.scalar(
        sa.select(BudgetLine.id).where(
            BudgetLine.action_id == line.action_id,
            BudgetLine.year == line.year,
            BudgetLine.stage == line.stage,
            BudgetLine.source == line.source,
            BudgetLine.unit_id == line.unit_id,
            BudgetLine.id != (line.id or -1),
        )
    )
    if clash is not None:
        raise ConflictError(
            "Sudah ada baris anggaran untuk aksi, tahun, tahap, sumber dana dan PD yang sama "
            f"(id {clash}); ubah baris itu.",
            [FieldError(field="stage", message=f"baris ganda dengan id {clash}")],
        )


def create_line(
    session: Session, data: schemas.BudgetLineCreate, *, actor: Actor
) -> schemas.BudgetLine:
    with write_transaction(session):
        action = session.get(Action, data.action_id)
        if action is None:
            raise NotFoundError(
                f"Aksi dengan id {data.action_id} tidak ditemukan.",
                [
                    FieldError(
                        field="action_id", value=str(data.action_id), message="aksi tidak ditemukan"
                    )
                ],
            )
        plan = session.get_one(Plan, action.plan_id)
        check_year(plan, data.year, "year")
        unit_id = action.lead_unit_id
        if data.unit is not None:
            found = session.scalar(sa.select(Unit.id).where(Unit.code == data.unit))
            if found is None:
                raise NotFoundError(
                    f"PD dengan kode '{data.unit}' tidak ditemukan.",
                    [FieldError(field="unit", value=data.unit, message="kode PD tidak dikenal")],
                )
            unit_id = found
        line = BudgetLine(
            action_id=action.id,
            year=data.year,
            stage=data.stage,
            source=data.source,
            unit_id=unit_id,
            amount=data.amount,
            note=data.note,
        )
        _check_write(session, actor, line)
        _duplicate(session, line)
        session.add(line)
        session.flush()
        return get_line(session, line.id, actor=actor)


def update_line(
    session: Session,
    line_id: int,
    data: schemas.BudgetLineUpdate,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> schemas.BudgetLine:
    with write_transaction(session):
        line = _get_for_write(session, line_id)
        _check_write(session, actor, line)  # allowed to touch the line as it is …
        check_version(line.version, expected_version)
        changed = False
        for attr in ("amount", "note", "source", "stage"):
            value = getattr(data, attr)
            if value is not msgspec.UNSET and getattr(line, attr) != value:
                setattr(line, attr, value)
                changed = True
        if changed:
            _check_write(session, actor, line)  # … and as it would become
            _duplicate(session, line)
        session.flush()
        # read inside the transaction, the line still locked: after the commit another
        # writer's change could already be there and be answered as this one's
        return get_line(session, line_id, actor=actor)


def delete_line(
    session: Session, line_id: int, *, actor: Actor, expected_version: int | None = None
) -> None:
    with write_transaction(session):
        line = _get_for_write(session, line_id)
        _check_write(session, actor, line)
        check_version(line.version, expected_version)
        session.delete(line)


# --- flags and summaries ---------------------------------------------------------------------


def flags_frame(
    session: Session,
    *,
    year: int,
    plan: str | None = None,
    as_of: date | None = None,
    settings: Settings | None = None,
) -> tuple[Plan, pl.DataFrame]:
    """Flags of every action-year of ``year`` joined with action code and lead unit.

    ``PRIORITAS`` compares the linked KPIs in the latest complete quarter as of ``as_of``
    (default today, but never later than the end of ``year``) with that year's targets.
    """
    plan_row = plan_for_year(session, year, plan)
    plan_id = plan_row.id
    view_day, period = priority_view(year, lapor.check_as_of(as_of or lapor.today_wita()))
    settings = settings or Settings()

    def compute() -> pl.DataFrame:
        frame = rules.compute_flags(
            targets=queries.targets_frame(session, plan_id, year),
            lines=queries.lines_frame(session, plan_id, year),
        )
        links = queries.kpi_targets_frame(session, plan_id, year)
        if links.height:
            kpis = lapor.kpi_frame(session, settings=settings, period=period, as_of=view_day)
            frame = rules.add_priority(frame, missed=missed_targets(kpis, links))
        actions = queries.actions_frame(session, plan_id)
        return frame.join(actions, on="action_id", how="inner")

    key = ("flags_frame", plan_id, year, view_day, lapor.sla_key(settings))
    return plan_row, revision.cached(session, key, compute)


def list_flags(
    session: Session,
    *,
    year: int,
    unit: str | None = None,
    flag: Flag | None = None,
    plan: str | None = None,
    only_flagged: bool = False,
    as_of: date | None = None,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> list[schemas.ActionYearFlags]:
    """Every action-year the rules cover in ``year`` (optionally one lead unit / one flag).

    Planners see their own unit's actions only.
    """
    if actor is not None:
        unit = scope.unit_filter(actor, unit)
    as_of = lapor.check_as_of(as_of or lapor.today_wita())
    settings = settings or Settings()

    def compute() -> list[schemas.ActionYearFlags]:
        _, frame = flags_frame(session, year=year, plan=plan, as_of=as_of, settings=settings)
        if unit is not None:
            if session.scalar(sa.select(Unit.id).where(Unit.code == unit)) is None:
                raise NotFoundError(f"PD dengan kode '{unit}' tidak ditemukan.")
            frame = frame.filter(pl.col("unit_code") == unit)
        if flag is not None:
            frame = frame.filter(pl.col("flags").list.contains(flag.value))
        if only_flagged:
            frame = frame.filter(pl.col("flags").list.len() > 0)
        frame = frame.sort("unit_code", "action_code").select(
            schemas.ActionYearFlags.__struct_fields__
        )
        return msgspec.convert(frame.to_dicts(), list[schemas.ActionYearFlags])

    view_day = min(as_of, date(year, 12, 31))
    key = ("flags", plan, year, view_day, unit, flag, only_flagged, lapor.sla_key(settings))
    return revision.cached(session, key, compute)


def flagged_action_ids(
    session: Session, *, year: int, flag: Flag, settings: Settings | None = None
) -> list[int]:
    _, frame = flags_frame(session, year=year, settings=settings)
    return frame.filter(pl.col("flags").list.contains(flag.value))["action_id"].to_list()


def summary(
    session: Session,
    *,
    year: int,
    plan: str | None = None,
    as_of: date | None = None,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> schemas.Summary:
    """Per lead unit: active actions, usulan, pagu, realisasi, gap, flagged and funded actions.

    A planner's summary holds their own unit only (and a total of it).
    """
    plan_row, frame = flags_frame(session, year=year, plan=plan, as_of=as_of, settings=settings)
    per_unit = rules.summarise(frame, actions=queries.actions_frame(session, plan_row.id))
    if actor is not None and actor.is_planner:
        per_unit = per_unit.filter(pl.col("unit_code") == actor.unit_code)
    units = msgspec.convert(per_unit.to_dicts(), list[schemas.UnitSummary])
    active = sum(u.active_actions for u in units)
    funded = sum(u.funded_actions for u in units)
    total = schemas.UnitSummary(
        unit_code=None,
        year=year,
        active_actions=active,
        usulan=sum(u.usulan for u in units),
        pagu=sum(u.pagu for u in units),
        realisasi=sum(u.realisasi for u in units),
        gap=sum(u.gap for u in units),
        flagged_actions=sum(u.flagged_actions for u in units),
        funded_actions=funded,
        share_funded=funded / active if active else None,
    )
    return schemas.Summary(year=year, plan=plan_row.code, units=units, total=total)
