"""Units (PD) and their aliases: the registry every other feature refers to by code."""

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from renaksi.auth.actor import Actor
from renaksi.auth.policy import ALIAS_WRITERS, UNIT_WRITERS, require_role
from renaksi.auth.service import check_version
from renaksi.codes import UnitKind
from renaksi.db.engine import write_transaction
from renaksi.db.models import Unit, UnitAlias
from renaksi.db.models.units import normalise_name
from renaksi.errors import ConflictError, FieldError, NotFoundError, ValidationError, translate
from renaksi.schemas import CODE_RULE, Code, ImportCounts
from renaksi.tabular import map_columns, read_csv, require_no_errors
from renaksi.units import schemas


def to_schema(unit: Unit) -> schemas.Unit:
    return schemas.Unit(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        # sorted here, not by the database: same order after a write and on every backend
        aliases=sorted((a.alias for a in unit.aliases), key=lambda a: (a.casefold(), a)),
        version=unit.version,
    )


def _query() -> sa.Select[Unit]:
    return sa.select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.code)


def list_units(session: Session) -> list[schemas.Unit]:
    return [to_schema(u) for u in session.scalars(_query())]


def _get(session: Session, code: str, *, for_update: bool = False) -> Unit:
    """``for_update``: lock the unit row before its aliases are read (see
    :func:`renaksi.plan.service._get_action`), so the version checked is theirs too."""
    query = _query().where(Unit.code == code)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    unit = session.scalars(query).one_or_none()
    if unit is None:
        raise NotFoundError(f"PD dengan kode '{code}' tidak ditemukan.")
    return unit


def get_unit(session: Session, code: str) -> schemas.Unit:
    return to_schema(_get(session, code))


def units_by_code(session: Session) -> dict[str, int]:
    """Map of unit code → id, for importers that resolve many codes at once."""
    return {code: uid for uid, code in session.execute(sa.select(Unit.id, Unit.code))}


def unit_keys(session: Session) -> dict[str, str]:
    """Match key → unit code, from codes, names and aliases (code wins, then name): how a
    LAPOR! row's ``Instansi Tujuan`` finds its unit."""
    keys: dict[str, str] = {}
    for key, code in session.execute(
        sa.select(UnitAlias.alias_key, Unit.code).join(Unit, Unit.id == UnitAlias.unit_id)
    ).all():
        keys[key] = code
    for code, name in session.execute(sa.select(Unit.code, Unit.name)).all():
        keys[normalise_name(name)] = code
        keys[normalise_name(code)] = code
    return keys


#: what each claimed text is called in an error
_WHAT = {"code": "kode", "name": "nama", "aliases": "alias", "alias": "alias"}
CLASH_SUMMARY = (
    "Kode, nama atau alias sudah dipakai PD lain: satu nama harus menunjuk satu PD, "
    "karena pengaduan LAPOR! dicocokkan dengannya."
)


def _claims(
    code: str | None, name: str | None, aliases: Sequence[str], alias_field: str = "aliases"
) -> list[tuple[str, str]]:
    """(field, text) of every text that names the unit when complaints are matched."""
    named = [("code", code), ("name", name), *((alias_field, a) for a in aliases)]
    return [(f, text) for f, text in named if text]


def _clashes(
    taken: Mapping[str, str],
    claims: Sequence[tuple[str, str]],
    *,
    sheet: str | None = None,
    row: int | None = None,
) -> list[FieldError]:
    """A claim whose key another unit already holds (``taken``: key → that unit's code);
    named by field, or by sheet, row and column for a file."""
    errors: list[FieldError] = []
    for field, text in claims:
        owner = taken.get(normalise_name(text))
        if owner is None:
            continue
        message = f"{_WHAT[field]} sudah dipakai PD {owner}"
        if sheet is None:
            errors.append(FieldError(field=field, value=text, message=message))
        else:
            errors.append(
                FieldError(sheet=sheet, row=row, column=field, value=text, message=message)
            )
    return errors


def _others(session: Session, code: str | None) -> dict[str, str]:
    """The match keys of every unit but ``code``."""
    return {key: owner for key, owner in unit_keys(session).items() if owner != code}


def _alias_errors(aliases: Sequence[str], field: str = "aliases") -> list[FieldError]:
    keys = [normalise_name(a) for a in aliases]
    if len(set(keys)) != len(keys):
        return [FieldError(field=field, message="alias ganda dalam daftar")]
    return []


def _check_claims(
    session: Session,
    own: str | None,
    *,
    code: str | None = None,
    name: str | None = None,
    aliases: Sequence[str] = (),
    alias_field: str = "aliases",
) -> None:
    """Every key (code, name, alias) must name exactly one unit: refuse (409) any text that
    another unit's code, name or alias already is. A new unit named like an existing one
    would otherwise silently take over its complaints."""
    taken = _others(session, own)
    if errors := _clashes(taken, _claims(code, name, aliases, alias_field)):
        raise ConflictError(CLASH_SUMMARY, errors)


def _set_aliases(unit: Unit, aliases: Iterable[str]) -> None:
    current = {a.alias_key: a for a in unit.aliases}
    wanted = {normalise_name(a): " ".join(a.split()) for a in aliases}
    unit.aliases = [current.get(k) or UnitAlias(alias=v, alias_key=k) for k, v in wanted.items()]
    for alias in unit.aliases:
        alias.alias = wanted[alias.alias_key]


def create_unit(session: Session, data: schemas.UnitCreate, *, actor: Actor) -> schemas.Unit:
    require_role(actor.role, UNIT_WRITERS, "menambah PD")
    with write_transaction(session):
        if session.scalar(sa.select(Unit.id).where(Unit.code == data.code)) is not None:
            raise ConflictError(
                f"PD dengan kode '{data.code}' sudah ada.",
                [FieldError(field="code", value=data.code, message="kode sudah dipakai")],
            )
        if errors := _alias_errors(data.aliases):
            raise ValidationError("Alias tidak valid.", errors)
        _check_claims(session, None, code=data.code, name=data.name.strip(), aliases=data.aliases)
        unit = Unit(code=data.code, name=data.name.strip(), kind=data.kind, aliases=[])
        _set_aliases(unit, data.aliases)
        session.add(unit)
        session.flush()
        return to_schema(unit)


def update_unit(
    session: Session,
    code: str,
    data: schemas.UnitUpdate,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> schemas.Unit:
    require_role(actor.role, UNIT_WRITERS, "mengubah PD")
    with write_transaction(session):
        unit = _get(session, code, for_update=True)
        check_version(unit.version, expected_version)
        changed = False
        if data.name is not msgspec.UNSET and data.name.strip() != unit.name:
            _check_claims(session, unit.code, name=data.name.strip())
            unit.name, changed = data.name.strip(), True
        if data.kind is not msgspec.UNSET and data.kind != unit.kind:
            unit.kind, changed = data.kind, True
        if data.aliases is not msgspec.UNSET:
            if errors := _alias_errors(data.aliases):
                raise ValidationError("Alias tidak valid.", errors)
            _check_claims(session, unit.code, aliases=data.aliases)
            before = sorted(a.alias for a in unit.aliases)
            _set_aliases(unit, data.aliases)
            changed = changed or before != sorted(a.alias for a in unit.aliases)
        if changed:
            unit.touch()
        session.flush()
        return to_schema(unit)


def add_alias(session: Session, code: str, alias: str, *, actor: Actor) -> schemas.Unit:
    require_role(actor.role, ALIAS_WRITERS, "menambah alias PD")
    with write_transaction(session):
        unit = _get(session, code, for_update=True)
        _check_claims(session, unit.code, aliases=[alias], alias_field="alias")
        if normalise_name(alias) not in {a.alias_key for a in unit.aliases}:
            _set_aliases(unit, [*(a.alias for a in unit.aliases), alias])
            unit.touch()
        session.flush()
        return to_schema(unit)


# --- the unit list CSV: read → validate → persist -------------------------------------------

UNIT_COLUMNS = {
    "code": ["code", "kode"],
    "name": ["name", "nama"],
    "kind": ["kind", "jenis"],
    "aliases": ["aliases", "alias"],
}


def read_unit_rows(source: bytes | Path) -> list[dict[str, str | None]]:
    """Read the unit list layout ``code,name,kind,aliases``; header problems raise."""
    errors: list[FieldError] = []
    table = map_columns(
        read_csv(source),
        sheet="CSV",
        columns=UNIT_COLUMNS,
        required=("code", "name", "kind"),
        errors=errors,
    )
    require_no_errors(errors, "Daftar PD")
    return list(table.rows())


def validate_unit_rows(rows: list[dict[str, str | None]]) -> list[schemas.UnitCreate]:
    """Every row checked; all problems reported together with their row and column."""
    errors: list[FieldError] = []
    result: list[schemas.UnitCreate] = []
    seen_codes: dict[str, int] = {}
    seen_aliases: dict[str, tuple[int, str]] = {}
    kinds = {k.value for k in UnitKind}
    for row in rows:
        line = int(row["_row"] or 0)
        code, name, kind = row["code"], row["name"], (row["kind"] or "").lower()

        def err(column: str, message: str, value: str | None, line: int = line) -> None:
            errors.append(
                FieldError(sheet="CSV", row=line, column=column, value=value, message=message)
            )

        if not code:
            err("code", "kode PD kosong", code)
        elif _problem(code, Code):
            err("code", CODE_RULE, code)
        if code and code in seen_codes:
            err("code", f"kode ganda (juga di baris {seen_codes[code]})", code)
        if code:
            seen_codes[code] = line
        if not name:
            err("name", "nama PD kosong", name)
        elif problem := _problem(name, schemas.Name):
            err("name", problem, name)
        if kind not in kinds:
            err(
                "kind",
                "jenis PD tidak dikenal (pilihan: " + ", ".join(sorted(kinds)) + ")",
                row["kind"],
            )
        aliases = [a.strip() for a in (row["aliases"] or "").split("|") if a.strip()]
        for alias in aliases:
            if problem := _problem(alias, schemas.Name):
                err("aliases", problem, alias)
            key = normalise_name(alias)
            other = seen_aliases.get(key)
            if other and other[1] != code:
                err("aliases", f"alias juga dipakai PD {other[1]} (baris {other[0]})", alias)
            seen_aliases[key] = (line, code or "")
        if code and name and kind in kinds:
            result.append(
                schemas.UnitCreate(code=code, name=name, kind=UnitKind(kind), aliases=aliases)
            )
    require_no_errors(errors, "Daftar PD")
    return result


def _problem(value: str, type_: object) -> str | None:
    """Why ``value`` does not fit the wire type (same limits as the API), in Indonesian."""
    try:
        msgspec.convert(value, type_)
    except msgspec.ValidationError as exc:
        return translate(str(exc))
    return None


def persist_units(
    session: Session,
    units: list[schemas.UnitCreate],
    *,
    actor: Actor,
    dry_run: bool = False,
    rows: Mapping[str, int] | None = None,
) -> schemas.UnitImportResult:
    """Create or update units by code in one transaction; a dry run rolls everything back.

    ``rows`` (unit code → file row) lets an error found against the database name its row.
    """
    require_role(actor.role, UNIT_WRITERS, "mengimpor daftar PD")
    counts = ImportCounts()
    with write_transaction(session):
        existing = {u.code: u for u in session.scalars(_query())}
        codes_in_file = {u.code for u in units}
        # every code, name and alias must name one unit once the file is in: against the
        # units the file leaves alone, and against each other
        errors: list[FieldError] = []
        owners: dict[str, set[str]] = {}
        for unit in existing.values():
            if unit.code not in codes_in_file:
                claims = _claims(unit.code, unit.name, [a.alias for a in unit.aliases])
                for _field, text in claims:
                    owners.setdefault(normalise_name(text), set()).add(unit.code)
        for data in units:
            for _field, text in _claims(data.code, data.name, data.aliases):
                owners.setdefault(normalise_name(text), set()).add(data.code)
        for data in units:
            taken = {
                key: min(codes - {data.code})
                for key, codes in owners.items()
                if codes - {data.code}
            }
            errors += _clashes(
                taken,
                _claims(data.code, data.name, data.aliases),
                sheet="CSV",
                row=(rows or {}).get(data.code),
            )
        require_no_errors(errors, "Daftar PD")
        before = {
            u.code: (u.name, u.kind, sorted(a.alias for a in u.aliases)) for u in existing.values()
        }
        # free every alias first so aliases can move between units within one file
        for unit in existing.values():
            if unit.code in codes_in_file:
                unit.aliases = [
                    a
                    for a in unit.aliases
                    if a.alias_key
                    in {normalise_name(x) for d in units if d.code == unit.code for x in d.aliases}
                ]
        session.flush()
        for data in units:
            found = existing.get(data.code)
            if found is None:
                new = Unit(code=data.code, name=data.name, kind=data.kind, aliases=[])
                _set_aliases(new, data.aliases)
                session.add(new)
                counts.add("created")
                continue
            unit = found
            unit.name, unit.kind = data.name, data.kind
            _set_aliases(unit, data.aliases)
            after = (unit.name, unit.kind, sorted(a.alias for a in unit.aliases))
            if before[data.code] != after:
                unit.touch()
                counts.add("updated")
            else:
                counts.add("unchanged")
        session.flush()
        if dry_run:
            session.rollback()
            return schemas.UnitImportResult(units=counts, dry_run=True)
    return schemas.UnitImportResult(units=counts, dry_run=False)


def import_units(
    session: Session, source: bytes | Path, *, actor: Actor, dry_run: bool = False
) -> schemas.UnitImportResult:
    """Read → validate → persist a unit list; :func:`persist_units` checks the actor's role."""
    rows = read_unit_rows(source)
    lines = {str(r["code"]): int(r["_row"] or 0) for r in rows if r["code"]}
    return persist_units(
        session, validate_unit_rows(rows), actor=actor, dry_run=dry_run, rows=lines
    )
