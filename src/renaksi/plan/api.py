"""HTTP routes for plans, actions and progress reports."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from renaksi.audit.schemas import AuditEntry
from renaksi.audit.service import action_history
from renaksi.auth.actor import Actor
from renaksi.codes import Flag, ProgressStatus
from renaksi.http import PathId, error_responses, etag, if_match
from renaksi.plan import kpi_links, schemas, service
from renaksi.schemas import CODE_PATTERN, MAX_ID, NO_NUL_PATTERN, Page
from renaksi.settings import Settings

#: ids beyond the database's integer range can name nothing: refused, never sent to the database
ActionId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="id aksi")]
CodeFilter = Annotated[str | None, Parameter(max_length=40, pattern=CODE_PATTERN)]
PageNo = Annotated[int, Parameter(ge=1, le=100_000, description="halaman, mulai 1")]
PerPage = Annotated[int, Parameter(ge=1, le=500, description="baris per halaman")]


class PlanController(Controller):
    path = "/plans"
    tags = ["Rencana aksi"]

    @get("/", sync_to_thread=True, summary="Daftar rencana aksi (periode)")
    def list_plans(self, db_session: Session) -> list[schemas.Plan]:
        return service.list_plans(db_session)


class ActionController(Controller):
    path = "/actions"
    tags = ["Rencana aksi"]

    @get(
        "/",
        sync_to_thread=True,
        summary="Daftar aksi",
        description="Filter: PD (penanggung jawab atau terkait), tahun aktif, status terakhir, "
        "flag anggaran (perlu tahun), teks (kode, judul, indikator). `/flags?unit=` dan "
        "`/summary` menghitung per PD penanggung jawab saja.",
        responses=error_responses(404, 422),
    )
    def list_actions(
        self,
        db_session: Session,
        settings: Settings,
        actor: Actor,
        unit: CodeFilter = None,
        year: Annotated[int | None, Parameter(ge=2000, le=2100)] = None,
        status: ProgressStatus | None = None,
        flag: Flag | None = None,
        q: Annotated[
            str | None, Parameter(max_length=200, pattern=NO_NUL_PATTERN, description="cari teks")
        ] = None,
        plan: CodeFilter = None,
        page: PageNo = 1,
        per_page: PerPage = 50,
    ) -> Page[schemas.Action]:
        return service.list_actions(
            db_session,
            actor=actor,
            plan=plan,
            unit=unit,
            year=year,
            status=status,
            flag=flag,
            search=q,
            page=page,
            per_page=per_page,
            settings=settings,
        )

    @get(
        "/{action_id:int}", sync_to_thread=True, summary="Satu aksi", responses=error_responses(404)
    )
    def get_action(
        self, db_session: Session, actor: Actor, action_id: ActionId
    ) -> Response[schemas.Action]:
        action = service.get_action(db_session, action_id, actor=actor)
        return Response(action, headers={"ETag": etag(action.version)})

    @post("/", sync_to_thread=True, summary="Tambah aksi", responses=error_responses(404, 409, 422))
    def create_action(
        self, db_session: Session, actor: Actor, data: schemas.ActionCreate
    ) -> schemas.Action:
        return service.create_action(db_session, data, actor=actor)

    @patch(
        "/{action_id:int}",
        sync_to_thread=True,
        summary="Ubah aksi",
        description="Wajib `If-Match` berisi ETag dari GET aksi (atau `version`).",
        responses=error_responses(404, 412, 422, 428),
    )
    def update_action(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        actor: Actor,
        action_id: ActionId,
        data: schemas.ActionUpdate,
    ) -> Response[schemas.Action]:
        action = service.update_action(
            db_session, action_id, data, actor=actor, expected_version=if_match(request)
        )
        return Response(action, headers={"ETag": etag(action.version)})

    @get(
        "/{action_id:int}/progress",
        sync_to_thread=True,
        summary="Riwayat laporan kemajuan (terbaru dulu)",
        responses=error_responses(404),
    )
    def list_progress(
        self, db_session: Session, actor: Actor, action_id: ActionId
    ) -> list[schemas.ProgressReport]:
        return service.list_progress(db_session, action_id, actor=actor)

    @post(
        "/{action_id:int}/progress",
        sync_to_thread=True,
        summary="Tambah laporan kemajuan triwulan",
        description="Pelapor adalah pengguna yang masuk. Triwulan yang dikunci menolak (423).",
        responses=error_responses(404, 422, 423),
    )
    def add_progress(
        self, db_session: Session, actor: Actor, action_id: ActionId, data: schemas.ProgressCreate
    ) -> schemas.ProgressReport:
        return service.add_progress(db_session, action_id, data, actor=actor)

    @get(
        "/{action_id:int}/history",
        sync_to_thread=True,
        summary="Riwayat perubahan aksi (aksi, target, kemajuan, anggaran, tautan KPI)",
        responses=error_responses(404),
    )
    def history(self, db_session: Session, actor: Actor, action_id: ActionId) -> list[AuditEntry]:
        service.get_action(db_session, action_id, actor=actor)
        return action_history(db_session, action_id, actor=actor)

    @get(
        "/{action_id:int}/kpi-links",
        sync_to_thread=True,
        summary="KPI pengaduan yang ditautkan ke aksi",
        responses=error_responses(404),
    )
    def list_kpi_links(
        self, db_session: Session, actor: Actor, action_id: ActionId
    ) -> list[schemas.KpiLink]:
        return kpi_links.list_links(db_session, action_id, actor=actor)

    @post(
        "/{action_id:int}/kpi-links",
        sync_to_thread=True,
        summary="Tautkan aksi ke KPI pengaduan (dengan target per tahun)",
        responses=error_responses(404, 409, 422),
    )
    def create_kpi_link(
        self, db_session: Session, actor: Actor, action_id: ActionId, data: schemas.KpiLinkCreate
    ) -> schemas.KpiLink:
        return kpi_links.create_link(db_session, action_id, data, actor=actor)


class KpiLinkController(Controller):
    path = "/kpi-links"
    tags = ["Rencana aksi"]

    @delete(
        "/{link_id:int}",
        sync_to_thread=True,
        summary="Hapus tautan KPI",
        responses=error_responses(404),
    )
    def delete_kpi_link(self, db_session: Session, actor: Actor, link_id: PathId) -> None:
        kpi_links.delete_link(db_session, link_id, actor=actor)
