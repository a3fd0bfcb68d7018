"""Persist a validated plan workbook: create or update by key, in one transaction.

The import obeys the same rules as the API: every budget line it creates or changes is
checked against the actor's role for that stage, and usulan lines against the period
locks. Refusals are listed with the cell errors (sheet, row, column) and nothing is written.
"""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from renaksi.auth.actor import Actor
from renaksi.auth.policy import PLAN_WRITERS, require_role, require_stage
from renaksi.codes import LockKind, Stage
from renaksi.db.engine import write_transaction
from renaksi.db.models import Action, BudgetLine, KpiLink, KpiTarget, Objective, Plan, Unit
from renaksi.errors import FieldError, RenaksiError, ValidationError
from renaksi.locks.service import ensure_open
from renaksi.plan import schemas
from renaksi.plan.service import plan_code_for, set_targets, several_plans_error
from renaksi.plan.workbook import (
    SHEET_BUDGET,
    WHAT,
    LineRow,
    PlanTables,
    Reference,
    ValidatedPlan,
    check_plan,
    read_plan_workbook,
)
from renaksi.schemas import ImportCounts
from renaksi.tabular import require_no_errors


def _choose_plan(session: Session, code: str | None, tables: PlanTables) -> Plan | None:
    """The plan to import into; None means "create it from the workbook's period"."""
    plans = list(session.scalars(sa.select(Plan).order_by(Plan.start_year)))
    if code is not None:
        return next((p for p in plans if p.code == code), None)
    if len(plans) <= 1:
        return plans[0] if plans else None
    years = tables.target_years
    span = (min(years), max(years)) if years else None
    matching = [p for p in plans if (p.start_year, p.end_year) == span]
    if len(matching) == 1:
        return matching[0]
    raise several_plans_error(plans, "Ada beberapa rencana aksi dan periode workbook tidak cocok")


def _refuse_overlap(session: Session, code: str, period: tuple[int, int]) -> None:
    """A new plan may not share a year with another: flags and reports pick one plan a year."""
    start, end = period
    clash = list(
        session.scalars(
            sa.select(Plan)
            .where(Plan.start_year <= end, Plan.end_year >= start)
            .order_by(Plan.start_year)
        )
    )
    if clash:
        names = ", ".join(f"{p.code} ({p.start_year}–{p.end_year})" for p in clash)
        raise ValidationError(
            f"Rencana aksi baru {code} ({start}–{end}) tumpang tindih dengan {names}. "
            f"Periksa kode pada --plan; untuk memperbarui rencana yang ada pakai "
            f"--plan {clash[0].code}.",
            [
                FieldError(
                    field="plan",
                    value=code,
                    message=f"periode {start}–{end} tumpang tindih dengan {names}",
                )
            ],
        )


def not_in_file_note(count: int) -> str:
    return (
        f"Catatan: {count} baris anggaran di basis data tidak ada di berkas. Impor tidak "
        "menghapus baris; hapus dengan tombol Hapus di halaman aksi atau "
        "DELETE /api/v1/budget-lines/{id}."
    )


def import_plan(
    session: Session,
    source: bytes | Path,
    *,
    actor: Actor,
    plan: str | None = None,
    dry_run: bool = False,
) -> schemas.PlanImportResult:
    """Read → validate → persist a plan workbook. Any error: nothing is written.

    ``actor``'s role and the period locks apply, as in the API (the CLI passes the local
    operator, :func:`renaksi.clikit.operator`).
    """
    return persist_plan(
        session, read_plan_workbook(source), actor=actor, plan=plan, dry_run=dry_run
    )


def persist_plan(
    session: Session,
    tables: PlanTables,
    *,
    actor: Actor,
    plan: str | None = None,
    dry_run: bool = False,
) -> schemas.PlanImportResult:
    require_role(actor.role, PLAN_WRITERS, "mengimpor workbook rencana aksi")
    with write_transaction(session):
        target = _choose_plan(session, plan, tables)
        units = dict(session.execute(sa.select(Unit.code, Unit.id)).all())
        leads: dict[str, str] = {}
        if target is not None:
            leads = dict(
                session.execute(
                    sa.select(Action.code, Unit.code)
                    .join(Unit, Unit.id == Action.lead_unit_id)
                    .where(Action.plan_id == target.id)
                ).all()
            )
        ref = Reference(
            unit_codes=set(units),
            period=(target.start_year, target.end_year) if target else None,
            existing_leads=leads,
            plan_code=target.code if target else None,
        )
        data, errors = check_plan(tables, ref)
        ops, not_in_file = _plan_lines(session, target, data, units, leads)
        errors += _refusals(session, actor, ops, tables)
        require_no_errors(errors, WHAT)
        created = target is None
        if target is None:
            code = plan or plan_code_for(*data.period)
            _refuse_overlap(session, code, data.period)
            start, end = data.period
            target = Plan(
                code=code,
                name=f"Renaksi SP4N LAPOR! {start}–{end}",
                start_year=start,
                end_year=end,
            )
            session.add(target)
            session.flush()
        result = schemas.PlanImportResult(
            plan=target.code,
            plan_created=created,
            actions=_persist_actions(session, target, data, units),
            budget_lines=ImportCounts(),
            kpi_links=ImportCounts(),
            dry_run=dry_run,
            budget_lines_not_in_file=not_in_file,
        )
        action_ids = dict(
            session.execute(
                sa.select(Action.code, Action.id).where(Action.plan_id == target.id)
            ).all()
        )
        result.budget_lines = _persist_lines(session, ops, units, action_ids)
        result.kpi_links = _persist_kpis(session, data, units, action_ids, leads)
        session.flush()
        if dry_run:
            session.rollback()
    return result


@dataclass
class _LineOp:
    """What the import will do with one Anggaran row, decided before anything is written."""

    row: LineRow
    #: the stored line to update, or to move to the new lead unit; None: create one
    line: BudgetLine | None
    #: ``line`` is the old lead's: it moves to the action's new lead unit
    moves: bool = False

    @property
    def change(self) -> str:
        """``created``, ``updated`` or ``unchanged``, as the import counts report it."""
        if self.line is None:
            return "created"
        return "updated" if self.moves or self.writes_money else "unchanged"

    @property
    def writes_money(self) -> bool:
        """Whether the row creates a line or changes an amount or note: a budget entry the
        actor's stage rights and the locks must allow. A line that only moves with its
        action's changed lead is a plan change."""
        return self.line is None or (self.line.amount, self.line.note) != (
            self.row.amount,
            self.row.note,
        )


def _old_lead(
    action_code: str, unit_from_lead: bool, old_leads: dict[str, str], new_leads: dict[str, str]
) -> str | None:
    """The lead unit a row with an empty PD cell followed before this workbook changed it."""
    old = old_leads.get(action_code)
    if unit_from_lead and old is not None and new_leads.get(action_code) != old:
        return old
    return None


def _plan_lines(
    session: Session,
    plan: Plan | None,
    data: ValidatedPlan,
    units: dict[str, int],
    old_leads: dict[str, str],
) -> tuple[list[_LineOp], int]:
    """Match each row to a stored line by key (action, year, stage, source, PD); also how
    many of the plan's stored lines no row matched (an import never deletes them).

    A row whose PD cell is empty follows the action's lead. When the workbook changes the
    lead, such a row takes over the line the old lead held for the same action, year, stage
    and source (unless another row names the old lead): the money moves, it is not counted
    twice.
    """
    existing: dict[tuple[str, int, Stage, str, str], BudgetLine] = {}
    if plan is not None:
        unit_codes = {unit_id: code for code, unit_id in units.items()}
        for stored, code in session.execute(
            sa.select(BudgetLine, Action.code)
            .join(Action, Action.id == BudgetLine.action_id)
            .where(Action.plan_id == plan.id)
        ).all():
            existing[
                (code, stored.year, stored.stage, stored.source, unit_codes[stored.unit_id])
            ] = stored
    new_leads = {a.code: a.lead_unit for a in data.actions}
    claimed = {(r.action_code, r.year, r.stage, r.source, r.unit) for r in data.lines}
    moved: set[tuple[str, int, Stage, str, str]] = set()
    ops: list[_LineOp] = []
    for row in data.lines:
        key = (row.action_code, row.year, row.stage, row.source, row.unit)
        line = existing.get(key)
        if line is None:
            old = _old_lead(row.action_code, row.unit_from_lead, old_leads, new_leads)
            if old is not None:
                old_key = (row.action_code, row.year, row.stage, row.source, old)
                if old_key in existing and old_key not in claimed and old_key not in moved:
                    moved.add(old_key)
                    ops.append(_LineOp(row, existing[old_key], moves=True))
                    continue
        ops.append(_LineOp(row, line))
    return ops, len(existing) - sum(op.line is not None for op in ops)


def _refusals(
    session: Session,
    actor: Actor,
    ops: list[_LineOp],
    tables: PlanTables,
) -> list[FieldError]:
    """The API's rules for every line the import would create or change, as row errors."""
    headers = tables.budget.headers if tables.budget is not None else {}
    errors: list[FieldError] = []
    locked: dict[int, str | None] = {}

    def refuse(op: _LineOp, field_name: str, default: str, value: object, detail: str) -> None:
        errors.append(
            FieldError(
                sheet=SHEET_BUDGET,
                row=op.row.row,
                column=headers.get(field_name, default),
                value=str(value),
                message=detail,
            )
        )

    for op in ops:
        if not op.writes_money:
            continue
        row = op.row
        try:
            require_stage(actor.role, row.stage)
        except RenaksiError as exc:
            refuse(op, "stage", "Tahap", row.stage.value, exc.detail)
            continue
        if row.stage is Stage.USULAN:
            if row.year not in locked:
                try:
                    ensure_open(session, LockKind.USULAN, row.year)
                    locked[row.year] = None
                except RenaksiError as exc:
                    locked[row.year] = exc.detail
            if (detail := locked[row.year]) is not None:
                refuse(op, "year", "Tahun", row.year, detail)
    return errors


def _persist_actions(
    session: Session, plan: Plan, data: ValidatedPlan, units: dict[str, int]
) -> ImportCounts:
    counts = ImportCounts()
    objectives = {
        o.title: o
        for o in session.scalars(sa.select(Objective).where(Objective.plan_id == plan.id))
    }
    existing = {
        a.code: a
        for a in session.scalars(
            sa.select(Action)
            .where(Action.plan_id == plan.id)
            .options(selectinload(Action.targets), selectinload(Action.supporting_units))
        )
    }
    all_units = {u.id: u for u in session.scalars(sa.select(Unit))}
    for row in data.actions:
        objective = objectives.get(row.objective)
        if objective is None:
            objective = objectives[row.objective] = Objective(plan_id=plan.id, title=row.objective)
            session.add(objective)
            session.flush()
        support = sorted(units[c] for c in row.supporting_units)
        values = {
            "objective_id": objective.id,
            "title": row.title,
            "indicator": row.indicator,
            "measure_unit": row.measure_unit,
            "direction": row.direction,
            "baseline": row.baseline,
            "lead_unit_id": units[row.lead_unit],
            "sub_kegiatan_code": row.sub_kegiatan_code,
            "note": row.note,
        }
        action = existing.get(row.code)
        if action is None:
            action = Action(
                plan_id=plan.id,
                code=row.code,
                targets=[],
                supporting_units=[all_units[i] for i in support],
                **values,
            )
            set_targets(action, row.targets)
            session.add(action)
            counts.add("created")
            continue
        changed = any(getattr(action, k) != v for k, v in values.items())
        changed |= {t.year: t.value for t in action.targets} != row.targets
        changed |= sorted(u.id for u in action.supporting_units) != support
        if not changed:
            counts.add("unchanged")
            continue
        for key, value in values.items():
            setattr(action, key, value)
        set_targets(action, row.targets)
        action.supporting_units = [all_units[i] for i in support]
        action.touch()
        counts.add("updated")
    session.flush()
    return counts


def _persist_lines(
    session: Session, ops: list[_LineOp], units: dict[str, int], action_ids: dict[str, int]
) -> ImportCounts:
    counts = ImportCounts()
    for op in ops:
        row, change = op.row, op.change  # before the line takes the row's values
        if op.line is None:
            session.add(
                BudgetLine(
                    action_id=action_ids[row.action_code],
                    year=row.year,
                    stage=row.stage,
                    source=row.source,
                    unit_id=units[row.unit],
                    amount=row.amount,
                    note=row.note,
                )
            )
        elif change == "updated":
            op.line.amount, op.line.note = row.amount, row.note
            op.line.unit_id = units[row.unit]  # a move to the new lead keeps the line's history
        counts.add(change)
    return counts


def _persist_kpis(
    session: Session,
    data: ValidatedPlan,
    units: dict[str, int],
    action_ids: dict[str, int],
    old_leads: dict[str, str],
) -> ImportCounts:
    """Create or update KPI links; like budget lines, an empty PD follows a changed lead."""
    counts = ImportCounts()
    existing = {
        (k.action_id, k.kpi, k.unit_id): k
        for k in session.scalars(
            sa.select(KpiLink)
            .where(KpiLink.action_id.in_(list(action_ids.values())))
            .options(selectinload(KpiLink.targets))
        )
    }
    claimed = {(action_ids[r.action_code], r.kpi, units[r.unit]) for r in data.kpis}
    new_leads = {a.code: a.lead_unit for a in data.actions}
    for row in data.kpis:
        key = (action_ids[row.action_code], row.kpi, units[row.unit])
        link = existing.get(key)
        old = _old_lead(row.action_code, row.unit_from_lead, old_leads, new_leads)
        if link is None and old is not None:
            old_key = (key[0], row.kpi, units[old])
            if old_key in existing and old_key not in claimed:
                link = existing.pop(old_key)
                link.unit_id = key[2]
                _set_kpi_targets(link, row.targets)
                counts.add("updated")
                continue
        if link is None:
            session.add(
                KpiLink(
                    action_id=key[0],
                    kpi=row.kpi,
                    unit_id=key[2],
                    targets=[KpiTarget(year=y, value=v) for y, v in sorted(row.targets.items())],
                )
            )
            counts.add("created")
        elif {t.year: t.value for t in link.targets} != row.targets:
            _set_kpi_targets(link, row.targets)
            counts.add("updated")
        else:
            counts.add("unchanged")
    return counts


def _set_kpi_targets(link: KpiLink, targets: dict[int, float]) -> None:
    current = {t.year: t for t in link.targets}
    link.targets = [
        current.get(y) or KpiTarget(year=y, value=v) for y, v in sorted(targets.items())
    ]
    for t in link.targets:
        t.value = targets[t.year]
