"""ORM models, one module per feature. Importing this package registers every table."""

from renaksi.db.models.budget import BudgetLine
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
    "KpiLink",
    "KpiTarget",
    "Objective",
    "Plan",
    "ProgressReport",
    "Unit",
    "UnitAlias",
    "action_supporting_units",
]
