"""ORM models, one module per feature. Importing this package registers every table."""

from renaksi.db.models.audit import AuditLog
from renaksi.db.models.auth import ApiToken, LoginAttempt, PeriodLock, User, UserSession
from renaksi.db.models.budget import BudgetLine
from renaksi.db.models.lapor import Complaint, Holiday, ImportBatch
from renaksi.db.models.plan import (
    Action,
    ActionTarget,
    KpiLink,
    KpiTarget,
    Objective,
    Plan,
    ProgressReport,
    action_supporting_units,
)
from renaksi.db.models.revision import DataRevision
from renaksi.db.models.settings import AppSetting
from renaksi.db.models.units import Unit, UnitAlias

__all__ = [
    "Action",
    "ActionTarget",
    "ApiToken",
    "AppSetting",
    "AuditLog",
    "BudgetLine",
    "Complaint",
    "DataRevision",
    "Holiday",
    "ImportBatch",
    "KpiLink",
    "KpiTarget",
    "LoginAttempt",
    "Objective",
    "PeriodLock",
    "Plan",
    "ProgressReport",
    "Unit",
    "UnitAlias",
    "User",
    "UserSession",
    "action_supporting_units",
]
