"""ORM models, one module per feature. Importing this package registers every table."""

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
from renaksi.db.models.units import Unit, UnitAlias

__all__ = [
    "Action",
    "ActionTarget",
    "BudgetLine",
    "Complaint",
    "Holiday",
    "ImportBatch",
    "KpiLink",
    "KpiTarget",
    "Objective",
    "Plan",
    "ProgressReport",
    "Unit",
    "UnitAlias",
    "action_supporting_units",
]
