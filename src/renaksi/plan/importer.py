"""Persist a validated plan workbook: create or update by key, in one transaction."""

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from renaksi.db.engine import write_transaction
from renaksi.db.models import Action, BudgetLine, KpiLink, KpiTarget, Objective, Plan, Unit
from renaksi.errors import FieldError, ValidationError
from renaksi.plan import schemas
from renaksi.plan.service import plan_code_for, set_targets
from renaksi.plan.workbook import (
    PlanTables,
    Reference,
    ValidatedPlan,
    read_plan_workbook,
    validate_plan,
)
from renaksi.schemas import ImportCounts


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
    raise ValidationError(
        "Ada beberapa rencana aksi; pilih dengan --plan salah satu: "
        + ", ".join(p.code for p in plans),
        [FieldError(field="plan", message="wajib dipilih bila ada beberapa rencana aksi")],
    )


def import_plan(
    session: Session, source: bytes | Path, *, plan: str | None = None, dry_run: bool = False
) -> schemas.PlanImportResult:
    """Read → validate → persist a plan workbook. Any error: nothing is written."""
    return persist_plan(session, read_plan_workbook(source), plan=plan, dry_run=dry_run)


def persist_plan(
    session: Session, tables: PlanTables, *, plan: str | None = None, dry_run: bool = False
) -> schemas.PlanImportResult:
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
        )
        data = validate_plan(tables, ref)
        created = target is None
        if target is None:
            start, end = data.period
            target = Plan(
                code=plan or plan_code_for(start, end),
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
        )
        action_ids = dict(
            session.execute(
                sa.select(Action.code, Action.id).where(Action.plan_id == target.id)
            ).all()
        )
        result.budget_lines = _persist_lines(session, data, units, action_ids)
        result.kpi_links = _persist_kpis(session, data, units, action_ids)
        session.flush()
        if dry_run:
            session.rollback()
    return result


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
    session: Session, data: ValidatedPlan, units: dict[str, int], action_ids: dict[str, int]
) -> ImportCounts:
    counts = ImportCounts()
    ids = list(action_ids.values())
    existing = {
        (b.action_id, b.year, b.stage, b.source, b.unit_id): b
        for b in session.scalars(sa.select(BudgetLine).where(BudgetLine.action_id.in_(ids)))
    }
    for row in data.lines:
        key = (action_ids[row.action_code], row.year, row.stage, row.source, units[row.unit])
        line = existing.get(key)
        if line is None:
            session.add(
                BudgetLine(
                    action_id=key[0],
                    year=row.year,
                    stage=row.stage,
                    source=row.source,
                    unit_id=key[4],
                    amount=row.amount,
                    note=row.note,
                )
            )
            counts.add("created")
        elif (line.amount, line.note) != (row.amount, row.note):
            line.amount, line.note = row.amount, row.note
            counts.add("updated")
        else:
            counts.add("unchanged")
    return counts


def _persist_kpis(
    session: Session, data: ValidatedPlan, units: dict[str, int], action_ids: dict[str, int]
) -> ImportCounts:
    counts = ImportCounts()
    existing = {
        (k.action_id, k.kpi, k.unit_id): k
        for k in session.scalars(
            sa.select(KpiLink)
            .where(KpiLink.action_id.in_(list(action_ids.values())))
            .options(selectinload(KpiLink.targets))
        )
    }
    for row in data.kpis:
        key = (action_ids[row.action_code], row.kpi, units[row.unit])
        link = existing.get(key)
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
            current = {t.year: t for t in link.targets}
            link.targets = [
                current.get(y) or KpiTarget(year=y, value=v) for y, v in sorted(row.targets.items())
            ]
            for t in link.targets:
                t.value = row.targets[t.year]
            counts.add("updated")
        else:
            counts.add("unchanged")
    return counts
