"""HTTP route for the audit trail."""

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.orm import Session

from renaksi.audit import service
from renaksi.audit.schemas import AuditEntry


class AuditController(Controller):
    path = "/audit"
    tags = ["Riwayat"]

    @get(
        "/",
        sync_to_thread=True,
        summary="Riwayat perubahan (terbaru dulu)",
        description="`entity`: action, action_target, progress_report, budget_line, unit, "
        "unit_alias, user, kpi_link, kpi_target, period_lock, holiday, objective, app_setting.",
    )
    def audit(
        self,
        db_session: Session,
        entity: Annotated[str | None, Parameter(max_length=40)] = None,
        id: Annotated[str | None, Parameter(max_length=80)] = None,
        limit: Annotated[int, Parameter(ge=1, le=5000)] = 500,
    ) -> list[AuditEntry]:
        return service.history(db_session, entity=entity, entity_id=id, limit=limit)
