"""The plan: plans and their period, actions, targets, quarterly progress reports."""

import re
from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from renaksi.auth import scope
from renaksi.auth.actor import Actor
from renaksi.auth.service import check_version
from renaksi.codes import Flag, LockKind, ProgressStatus
from renaksi.db import revision
from renaksi.db.engine import write_transaction
from renaksi.db.models import (
    Action,
    ActionTarget,
    BudgetLine,
    KpiLink,
    Objective,
    Plan,
    ProgressReport,
    Unit,
)
from renaksi.errors import ConflictError, FieldError, NotFoundError, ValidationError
from renaksi.lapor.service import sla_key
from renaksi.locks.service import ensure_open
from renaksi.plan import schemas
from renaksi.schemas import Page
from renaksi.settings import Settings

_SUB_KEGIATAN = re.compile(r"^(\d)\.(\d{2})\.(\d{2})\.(\d)\.(\d{2})\.(\d{2}|\d{4})$")


def normalise_sub_kegiatan(code: str) -> str:
    """``2.16.02.2.01.02`` → ``2.16.02.2.01.0002``; raises ``ValueError`` when malformed."""
    match = _SUB_KEGIATAN.match(code.strip())
    if not match:
        raise ValueError(
            "kode sub kegiatan harus berbentuk U.BB.PP.K.KK.SSSS, mis. 2.16.02.2.01.0002"
        )
    *head, last = match.groups()
    return ".".join([*head, last.zfill(4)])


def plan_code_for(start_year: int, end_year: int) -> str:
    return f"RENAKSI-{start_year}-{end_year}"


def plan_to_schema(plan: Plan) -> schemas.Plan:
    return schemas.Plan(
        id=plan.id,
        code=plan.code,
        name=plan.name,
        start_year=plan.start_year,
        end_year=plan.end_year,
    )


def list_plans(session: Session) -> list[schemas.Plan]:
    return [plan_to_schema(p) for p in session.scalars(sa.select(Plan).order_by(Plan.start_year))]


def resolve_plan(session: Session, code: str | None) -> Plan:
    """The plan named ``code``; without a code, the only plan (several plans need a choice)."""
    if code is not None:
        plan = session.scalars(sa.select(Plan).where(Plan.code == code)).one_or_none()
        if plan is None:
            raise NotFoundError(f"Rencana aksi '{code}' tidak ditemukan.")
        return plan
    plans = list(session.scalars(sa.select(Plan).order_by(Plan.start_year)))
    if not plans:
        raise NotFoundError("Belum ada rencana aksi. Impor workbook rencana aksi dulu.")
    if len(plans) > 1:
        raise several_plans_error(plans, "Ada beberapa rencana aksi")
    return plans[0]


def several_plans_error(plans: Sequence[Plan], what: str) -> ValidationError:
    """Several plans fit: never pick one silently; say how to choose (CLI and API)."""
    codes = ", ".join(f"{p.code} ({p.start_year}–{p.end_year})" for p in plans)
    return ValidationError(
        f"{what}: {codes}. Pilih salah satu dengan opsi --plan (CLI) atau parameter plan "
        f"(API), mis. --plan {plans[0].code}.",
        [
            FieldError(
                field="plan",
                message="wajib dipilih (--plan / plan) bila ada beberapa rencana aksi: "
                + ", ".join(p.code for p in plans),
            )
        ],
    )


def plan_for_year(session: Session, year: int, code: str | None = None) -> Plan:
    """The plan whose period covers ``year`` (or the named plan, checked against ``year``).

    When several plans cover the year (older data; the importer refuses overlapping
    periods), the caller must name one: flags and reports never pick one arbitrarily.
    """
    if code is None:
        plans = list(
            session.scalars(
                sa.select(Plan)
                .where(Plan.start_year <= year, Plan.end_year >= year)
                .order_by(Plan.start_year, Plan.code)
            )
        )
        if not plans:
            raise NotFoundError(f"Tidak ada rencana aksi yang mencakup tahun {year}.")
        if len(plans) > 1:
            raise several_plans_error(
                plans, f"Ada beberapa rencana aksi yang mencakup tahun {year}"
            )
        return plans[0]
    plan = resolve_plan(session, code)
    check_year(plan, year, "year")
    return plan


def check_year(plan: Plan, year: int, field: str) -> None:
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationError(
            f"Tahun {year} di luar periode {plan.code} ({plan.start_year}–{plan.end_year}).",
            [
                FieldError(
                    field=field,
                    value=str(year),
                    message=f"tahun harus {plan.start_year}–{plan.end_year}",
                )
            ],
        )


# --- actions ------------------------------------------------------------------------------


def _action_query() -> sa.Select[Action]:
    return sa.select(Action).options(
        selectinload(Action.plan),
        selectinload(Action.objective),
        selectinload(Action.lead_unit),
        selectinload(Action.supporting_units),
        selectinload(Action.targets),
    )


def _latest_progress(session: Session, action_ids: Sequence[int]) -> dict[int, ProgressReport]:
    if not action_ids:
        return {}
    ranked = (
        sa.select(
            ProgressReport.id,
            sa.func.row_number()
            .over(
                partition_by=ProgressReport.action_id,
                order_by=(
                    ProgressReport.year.desc(),
                    ProgressReport.quarter.desc(),
                    ProgressReport.reported_at.desc(),
                    ProgressReport.id.desc(),
                ),
            )
            .label("rank"),
        )
        .where(ProgressReport.action_id.in_(action_ids))
        .subquery()
    )
    reports = session.scalars(
        sa.select(ProgressReport)
        .join(ranked, ranked.c.id == ProgressReport.id)
        .where(ranked.c.rank == 1)
    )
    return {r.action_id: r for r in reports}


def action_to_schema(action: Action, latest: ProgressReport | None) -> schemas.Action:
    return schemas.Action(
        id=action.id,
        plan=action.plan.code,
        code=action.code,
        objective=action.objective.title,
        title=action.title,
        indicator=action.indicator,
        measure_unit=action.measure_unit,
        direction=action.direction,
        baseline=action.baseline,
        targets=[schemas.Target(year=t.year, value=t.value) for t in action.targets],
        lead_unit=action.lead_unit.code,
        supporting_units=[u.code for u in action.supporting_units],
        sub_kegiatan_code=action.sub_kegiatan_code,
        note=action.note,
        status=latest.status if latest else None,
        progress_pct=latest.progress_pct if latest else None,
        version=action.version,
    )


def _get_action(session: Session, action_id: int, *, for_update: bool = False) -> Action:
    """The action with its targets, units and objective eagerly loaded.

    ``for_update``: lock the action row first (PostgreSQL ``FOR UPDATE``; SQLite already has
    one writer). Its children are read by separate statements, which under READ COMMITTED
    could otherwise see a writer that committed after the row was read: the version checked
    against ``If-Match`` would not be the version of the targets compared and changed.
    """
    query = _action_query().where(Action.id == action_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    action = session.scalars(query).one_or_none()
    if action is None:
        raise NotFoundError(f"Aksi dengan id {action_id} tidak ditemukan.")
    return action


def get_action(session: Session, action_id: int, *, actor: Actor) -> schemas.Action:
    action = _get_action(session, action_id)
    scope.ensure_action(session, actor, action.id)
    return action_to_schema(action, _latest_progress(session, [action.id]).get(action.id))


def list_actions(
    session: Session,
    *,
    actor: Actor,
    plan: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    status: ProgressStatus | None = None,
    flag: Flag | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = 50,
    settings: Settings | None = None,
) -> Page[schemas.Action]:
    """Actions filtered by unit (lead or supporting), active year, latest status, flag, text.

    A planner only ever sees the actions their own unit leads or supports. ``settings`` (the
    app's) decide the SLA limits behind a ``PRIORITAS`` filter.
    """
    unit = scope.unit_filter(actor, unit)
    search = search.strip() if search else None
    settings = settings or Settings()
    sla = sla_key(settings) if flag is not None else None
    key = ("actions", plan, unit, year, status, flag, search or None, page, per_page, sla)
    return revision.cached(
        session,
        key,
        lambda: _list_actions(
            session,
            plan=plan,
            unit=unit,
            year=year,
            status=status,
            flag=flag,
            search=search,
            page=page,
            per_page=per_page,
            settings=settings,
        ),
    )


def _list_actions(
    session: Session,
    *,
    plan: str | None,
    unit: str | None,
    year: int | None,
    status: ProgressStatus | None,
    flag: Flag | None,
    search: str | None,
    page: int,
    per_page: int,
    settings: Settings,
) -> Page[schemas.Action]:
    query = _action_query().join(Plan, Plan.id == Action.plan_id)
    if plan is not None:
        query = query.where(Plan.id == resolve_plan(session, plan).id)
    if unit is not None:
        unit_id = session.scalar(sa.select(Unit.id).where(Unit.code == unit))
        if unit_id is None:
            raise NotFoundError(f"PD dengan kode '{unit}' tidak ditemukan.")
        query = query.where(
            sa.or_(
                Action.lead_unit_id == unit_id,
                Action.supporting_units.any(Unit.id == unit_id),
            )
        )
    if year is not None:
        query = query.where(Action.targets.any(ActionTarget.year == year))
    if search and search.strip():
        # autoescape: '%' and '_' typed by a user are text, not wildcards
        term = search.strip().lower()
        query = query.where(
            sa.or_(
                *(
                    sa.func.lower(column).contains(term, autoescape=True)
                    for column in (Action.code, Action.title, Action.indicator)
                )
            )
        )
    if flag is not None:
        if year is None:
            raise ValidationError(
                "Filter flag memerlukan tahun.",
                [FieldError(field="year", message="wajib bila flag dipakai")],
            )
        from renaksi.budget.service import flagged_action_ids  # budget builds on the plan

        query = query.where(
            Action.id.in_(flagged_action_ids(session, year=year, flag=flag, settings=settings))
        )
    if status is not None:
        query = query.where(Action.id.in_(_ids_with_latest_status(session, status)))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    actions = list(
        session.scalars(
            query.order_by(Plan.start_year, Action.code)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    latest = _latest_progress(session, [a.id for a in actions])
    return Page(
        items=[action_to_schema(a, latest.get(a.id)) for a in actions],
        total=total,
        page=page,
        per_page=per_page,
    )


def _ids_with_latest_status(session: Session, status: ProgressStatus) -> list[int]:
    all_ids = list(session.scalars(sa.select(Action.id)))
    latest = _latest_progress(session, all_ids)
    if status is ProgressStatus.BELUM_MULAI:  # no report yet counts as not started
        return [i for i in all_ids if i not in latest or latest[i].status is status]
    return [i for i, r in latest.items() if r.status is status]


def _unit_ids(session: Session, codes: Sequence[str], field: str) -> list[int]:
    found = dict(session.execute(sa.select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            "Kode PD tidak dikenal.",
            [FieldError(field=field, value=c, message="kode PD tidak dikenal") for c in missing],
        )
    return [found[c] for c in codes]


def objective_for(session: Session, plan: Plan, title: str) -> Objective:
    title = " ".join(title.split())
    objective = session.scalars(
        sa.select(Objective).where(Objective.plan_id == plan.id, Objective.title == title)
    ).one_or_none()
    if objective is None:
        objective = Objective(plan_id=plan.id, title=title)
        session.add(objective)
        session.flush()
    return objective


def _check_targets(plan: Plan, targets: Sequence[schemas.Target]) -> list[schemas.Target]:
    years = [t.year for t in targets]
    if len(set(years)) != len(years):
        raise ValidationError(
            "Target ganda untuk tahun yang sama.",
            [FieldError(field="targets", message="satu target per tahun")],
        )
    for t in targets:
        check_year(plan, t.year, "targets")
    return sorted(targets, key=lambda t: t.year)


def create_action(session: Session, data: schemas.ActionCreate, *, actor: Actor) -> schemas.Action:
    with write_transaction(session):
        plan = resolve_plan(session, data.plan)
        if session.scalar(
            sa.select(Action.id).where(Action.plan_id == plan.id, Action.code == data.code)
        ):
            raise ConflictError(
                f"Kode aksi '{data.code}' sudah ada di {plan.code}.",
                [FieldError(field="code", value=data.code, message="kode aksi sudah dipakai")],
            )
        targets = _check_targets(plan, data.targets)
        lead_id = _unit_ids(session, [data.lead_unit], "lead_unit")[0]
        support_ids = _unit_ids(session, data.supporting_units, "supporting_units")
        _lead_not_supporting(data.lead_unit, lead_id, support_ids)
        action = Action(
            plan_id=plan.id,
            code=data.code,
            objective_id=objective_for(session, plan, data.objective).id,
            title=data.title.strip(),
            indicator=data.indicator.strip(),
            measure_unit=data.measure_unit.strip(),
            direction=data.direction,
            baseline=data.baseline,
            lead_unit_id=lead_id,
            sub_kegiatan_code=(
                normalise_sub_kegiatan(data.sub_kegiatan_code) if data.sub_kegiatan_code else None
            ),
            note=data.note,
            targets=[ActionTarget(year=t.year, value=t.value) for t in targets],
            supporting_units=list(session.scalars(sa.select(Unit).where(Unit.id.in_(support_ids)))),
        )
        session.add(action)
        session.flush()
        return get_action(session, action.id, actor=actor)


def update_action(
    session: Session,
    action_id: int,
    data: schemas.ActionUpdate,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> schemas.Action:
    with write_transaction(session):
        action = _get_action(session, action_id, for_update=True)
        check_version(action.version, expected_version)
        plan = action.plan
        changed = False

        def assign(attr: str, value: object) -> None:
            nonlocal changed
            if getattr(action, attr) != value:
                setattr(action, attr, value)
                changed = True

        for attr in ("title", "indicator", "measure_unit"):
            value = getattr(data, attr)
            if value is not msgspec.UNSET:
                assign(attr, value.strip())
        if data.direction is not msgspec.UNSET:
            assign("direction", data.direction)
        if data.baseline is not msgspec.UNSET:
            assign("baseline", data.baseline)
        if data.note is not msgspec.UNSET:
            assign("note", data.note)
        if data.sub_kegiatan_code is not msgspec.UNSET:
            assign(
                "sub_kegiatan_code",
                normalise_sub_kegiatan(data.sub_kegiatan_code) if data.sub_kegiatan_code else None,
            )
        if data.objective is not msgspec.UNSET:
            assign("objective_id", objective_for(session, plan, data.objective).id)
        if data.lead_unit is not msgspec.UNSET:
            old_lead = action.lead_unit_id
            assign("lead_unit_id", _unit_ids(session, [data.lead_unit], "lead_unit")[0])
            if action.lead_unit_id != old_lead:
                _follow_the_lead(session, action.id, old_lead, action.lead_unit_id)
        if data.supporting_units is not msgspec.UNSET:
            ids = _unit_ids(session, data.supporting_units, "supporting_units")
            if set(ids) != {u.id for u in action.supporting_units}:
                action.supporting_units = list(
                    session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))
                )
                changed = True
        if data.lead_unit is not msgspec.UNSET or data.supporting_units is not msgspec.UNSET:
            _lead_not_supporting(
                action.lead_unit.code if data.lead_unit is msgspec.UNSET else data.lead_unit,
                action.lead_unit_id,
                [u.id for u in action.supporting_units],
            )
        if data.targets is not msgspec.UNSET:
            targets = _check_targets(plan, data.targets)
            if [(t.year, t.value) for t in targets] != [(t.year, t.value) for t in action.targets]:
                set_targets(action, {t.year: t.value for t in targets})
                changed = True
        if changed:
            action.touch()
        session.flush()
        # The answer is read inside this transaction, with the row still locked: read after
        # the commit, it could show another writer's change made in between as this one's.
        session.expire_all()
        return get_action(session, action_id, actor=actor)


#: a unit is the action's lead or one of its supporting units, never both (API and workbook)
LEAD_NOT_SUPPORTING = "PD penanggung jawab tidak ditulis lagi sebagai PD terkait"


def _lead_not_supporting(lead_code: str, lead_id: int, support_ids: Sequence[int]) -> None:
    """A unit leads an action or supports it, not both (as in the workbook)."""
    if lead_id in support_ids:
        raise ValidationError(
            f"PD {lead_code} adalah penanggung jawab aksi ini; hapus dari PD terkait.",
            [
                FieldError(
                    field="supporting_units",
                    value=lead_code,
                    message=LEAD_NOT_SUPPORTING,
                )
            ],
        )


def _follow_the_lead(session: Session, action_id: int, old: int, new: int) -> None:
    """Move the old lead's budget lines and KPI links of the action to the new lead, as a
    plan import does for rows whose PD is empty. Left behind they would belong to a unit no
    longer on the action, which no planner could then correct. A row the new lead already
    has for the same year, stage and source (or KPI) is a conflict, not a silent merge."""
    lines = session.scalars(
        sa.select(BudgetLine).where(BudgetLine.action_id == action_id).with_for_update()
    ).all()
    links = session.scalars(sa.select(KpiLink).where(KpiLink.action_id == action_id)).all()
    new_lines = {(b.year, b.stage, b.source): b for b in lines if b.unit_id == new}
    new_kpis = {k.kpi for k in links if k.unit_id == new}
    clashes = [
        FieldError(
            field="lead_unit",
            message=f"PD baru sudah punya baris anggaran {b.year} {b.stage.value} "
            f"{b.source.value} (id {twin.id}), sama dengan milik PD lama (id {b.id}); "
            "gabungkan atau hapus salah satunya dulu",
        )
        for b in lines
        if b.unit_id == old and (twin := new_lines.get((b.year, b.stage, b.source)))
    ]
    clashes += [
        FieldError(
            field="lead_unit",
            message=f"PD baru sudah punya tautan KPI {k.kpi.value}, sama dengan milik PD lama; "
            "hapus salah satunya dulu",
        )
        for k in links
        if k.unit_id == old and k.kpi in new_kpis
    ]
    if clashes:
        raise ConflictError("Anggaran dan KPI PD lama tidak dapat dipindahkan ke PD baru.", clashes)
    for line in lines:
        if line.unit_id == old:
            line.unit_id = new
    for link in links:
        if link.unit_id == old:
            link.unit_id = new


def set_targets(action: Action, targets: dict[int, float]) -> None:
    """Make the action's targets exactly ``targets``, keeping rows that did not change."""
    current = {t.year: t for t in action.targets}
    kept: list[ActionTarget] = []
    for year, value in sorted(targets.items()):
        row = current.get(year) or ActionTarget(year=year, value=value)
        row.value = value
        kept.append(row)
    action.targets = kept


# --- progress reports (append-only) --------------------------------------------------------


def progress_to_schema(r: ProgressReport) -> schemas.ProgressReport:
    return schemas.ProgressReport(
        id=r.id,
        action_id=r.action_id,
        year=r.year,
        quarter=r.quarter,
        status=r.status,
        achieved_value=r.achieved_value,
        progress_pct=r.progress_pct,
        problems=r.problems,
        follow_up=r.follow_up,
        reported_by=r.reported_by,
        reported_at=r.reported_at,
    )


def list_progress(
    session: Session, action_id: int, *, actor: Actor
) -> list[schemas.ProgressReport]:
    """Every report of the action, newest first: the history is never overwritten."""
    _get_action(session, action_id)
    scope.ensure_action(session, actor, action_id)
    reports = session.scalars(
        sa.select(ProgressReport)
        .where(ProgressReport.action_id == action_id)
        .order_by(
            ProgressReport.year.desc(),
            ProgressReport.quarter.desc(),
            ProgressReport.reported_at.desc(),
            ProgressReport.id.desc(),
        )
    )
    return [progress_to_schema(r) for r in reports]


def add_progress(
    session: Session, action_id: int, data: schemas.ProgressCreate, *, actor: Actor
) -> schemas.ProgressReport:
    """Append a quarterly report. Planners: only for actions their unit leads or supports;
    nobody: for a quarter a koordinator has locked. The reporter is who is logged in."""
    with write_transaction(session):
        action = _get_action(session, action_id)
        scope.ensure_action(session, actor, action.id)
        check_year(action.plan, data.year, "year")
        ensure_open(session, LockKind.PROGRESS, data.year, data.quarter)
        report = ProgressReport(
            action_id=action.id,
            year=data.year,
            quarter=data.quarter,
            status=data.status,
            achieved_value=data.achieved_value,
            progress_pct=data.progress_pct,
            problems=data.problems,
            follow_up=data.follow_up,
            reported_by=actor.username,
        )
        session.add(report)
        session.flush()
        return progress_to_schema(report)
