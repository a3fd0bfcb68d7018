"""HTTP routes for the SLA limits (read: everyone; change: admin, see the policy table)."""

from typing import Any

from litestar import Controller, Request, Response, get, put
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.http import error_responses, etag, if_match
from renaksi.settings import Settings
from renaksi.sla import service


class SlaController(Controller):
    path = "/settings/sla"
    tags = ["Pengaturan"]

    @get(
        "/",
        sync_to_thread=True,
        summary="Batas waktu (SLA) yang berlaku",
        description="Nilai yang disimpan admin menimpa bawaan `RENAKSI_SLA_*`; `overridden` "
        "menyebut yang disimpan, `defaults` nilai bawaannya.",
    )
    def get_sla(self, db_session: Session, settings: Settings) -> Response[service.SlaSettings]:
        current = service.get_sla(db_session, settings)
        return Response(current, headers={"ETag": etag(current.version)})

    @put(
        "/",
        sync_to_thread=True,
        summary="Ubah batas waktu (SLA) (admin)",
        description="Menyimpan batas yang dikirim; batas yang tidak dikirim (atau `null`) kembali "
        "ke bawaan `RENAKSI_SLA_*`. Wajib `If-Match` berisi ETag dari GET (atau `version`). "
        "KPI langsung dihitung dengan batas baru.",
        responses=error_responses(412, 422, 428),
    )
    def update_sla(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        settings: Settings,
        actor: Actor,
        data: service.SlaUpdate,
    ) -> Response[service.SlaSettings]:
        current = service.update_sla(
            db_session, settings, data, actor=actor, expected_version=if_match(request)
        )
        return Response(current, headers={"ETag": etag(current.version)})
