"""SLA limits an admin can change without a restart.

The ``RENAKSI_SLA_*`` settings are the defaults; an admin's values are stored in the
``app_setting`` row ``sla`` (audited like every other record) and win over them. Every KPI
reads the limits through :func:`kpi_sla`, via :func:`renaksi.lapor.service.sla_from`, so the
API, the CLI, the pages and the workbooks count with the same limits.
"""

import logging
from typing import Annotated

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.auth.policy import SLA_WRITERS, require_role
from renaksi.auth.service import check_version
from renaksi.db.engine import write_transaction
from renaksi.db.models import AppSetting
from renaksi.errors import PreconditionFailedError
from renaksi.lapor import kpi as rules
from renaksi.settings import Settings

KEY = "sla"
FIELDS = ("verify_workdays", "response_workdays", "autoclose_days", "complete_days")
#: the version reported while nothing is stored (a stored row starts above it)
UNSTORED_VERSION = 1

log = logging.getLogger("renaksi")

#: largest accepted value of each limit: at least one day, at most what only a typo would give
#: (LAPOR! counts in days and weeks; completion within a year)
MAXIMUM = {
    "verify_workdays": 30,
    "response_workdays": 60,
    "autoclose_days": 90,
    "complete_days": 365,
}
VerifyWorkdays = Annotated[int, msgspec.Meta(ge=1, le=MAXIMUM["verify_workdays"])]
ResponseWorkdays = Annotated[int, msgspec.Meta(ge=1, le=MAXIMUM["response_workdays"])]
AutocloseDays = Annotated[int, msgspec.Meta(ge=1, le=MAXIMUM["autoclose_days"])]
CompleteDays = Annotated[int, msgspec.Meta(ge=1, le=MAXIMUM["complete_days"])]


class SlaLimits(msgspec.Struct):
    #: verification + disposition after submission, in working days
    verify_workdays: int
    #: first follow-up by the unit after disposition, in working days (KPI on-time response)
    response_workdays: int
    #: auto-close after follow-up when the reporter is silent, in calendar days
    autoclose_days: int
    #: completion after submission, in calendar days (KPI resolved within the limit)
    complete_days: int


class SlaSettings(msgspec.Struct):
    """The limits in force, the defaults they fall back to and which ones an admin set."""

    verify_workdays: int
    response_workdays: int
    autoclose_days: int
    complete_days: int
    #: the ``RENAKSI_SLA_*`` values: what a limit not set here falls back to
    defaults: SlaLimits
    #: the limits an admin set (stored in the database)
    overridden: list[str]
    #: send back as ``If-Match`` with a change
    version: int


class SlaUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PUT body: the limits to store. A limit left out (or ``null``) goes back to its default."""

    verify_workdays: VerifyWorkdays | None = None
    response_workdays: ResponseWorkdays | None = None
    autoclose_days: AutocloseDays | None = None
    complete_days: CompleteDays | None = None


def defaults(settings: Settings) -> SlaLimits:
    return SlaLimits(**{name: getattr(settings, f"sla_{name}") for name in FIELDS})


def _stored(row: AppSetting | None) -> dict[str, int]:
    """The stored limits; a row edited by hand into nonsense counts as nothing stored."""
    if row is None:
        return {}
    try:
        update = msgspec.convert(row.value, SlaUpdate)
    except msgspec.ValidationError as exc:
        log.warning("ignoring invalid stored SLA settings %r: %s", row.value, exc)
        return {}
    return {name: value for name in FIELDS if (value := getattr(update, name)) is not None}


def _schema(row: AppSetting | None, settings: Settings) -> SlaSettings:
    base = defaults(settings)
    stored = _stored(row)
    values = {name: stored.get(name, getattr(base, name)) for name in FIELDS}
    return SlaSettings(
        **values,
        defaults=base,
        overridden=[name for name in FIELDS if name in stored],
        version=row.version if row is not None else UNSTORED_VERSION,
    )


def get_sla(session: Session, settings: Settings) -> SlaSettings:
    return _schema(session.get(AppSetting, KEY), settings)


def kpi_sla(session: Session, settings: Settings) -> rules.Sla:
    """The limits the KPIs count with."""
    current = get_sla(session, settings)
    return rules.Sla(
        response_workdays=current.response_workdays, complete_days=current.complete_days
    )


def update_sla(
    session: Session,
    settings: Settings,
    data: SlaUpdate,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> SlaSettings:
    """Store the limits given; those left out fall back to their ``RENAKSI_SLA_*`` default."""
    require_role(actor.role, SLA_WRITERS, "mengubah batas SLA")
    wanted = {name: value for name in FIELDS if (value := getattr(data, name)) is not None}
    try:
        with write_transaction(session):
            row = session.get(AppSetting, KEY)
            check_version(row.version if row is not None else UNSTORED_VERSION, expected_version)
            if row is None:
                if not wanted:
                    return _schema(None, settings)
                row = AppSetting(key=KEY, value=wanted)
                session.add(row)
                session.flush()
                row.touch()  # past UNSTORED_VERSION: a form read before this write is now stale
            elif row.value != wanted:
                row.value = wanted
            session.flush()
            return _schema(row, settings)
    except sa.exc.IntegrityError:  # two first writers at once: the other one's row won
        raise PreconditionFailedError(
            "Pengaturan SLA baru saja diubah orang lain; muat ulang lalu ulangi."
        ) from None
