"""HTTP routes for budget lines, flags and the per-unit summary."""

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.budget import schemas, service
from renaksi.codes import Flag
from renaksi.http import error_responses, etag, if_match
from renaksi.schemas import CODE_PATTERN, MAX_ID, Page
from renaksi.settings import Settings

Year = Annotated[int, Parameter(ge=2000, le=2100, description="tahun anggaran")]
#: ids beyond the database's integer range can name nothing: refused, never sent to the database
LineId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="id baris anggaran")]
CodeFilter = Annotated[str | None, Parameter(max_length=40, pattern=CODE_PATTERN)]


class BudgetLineController(Controller):
    path = "/budget-lines"
    tags = ["Anggaran"]

    @get("/", sync_to_thread=True, summary="Daftar baris anggaran", responses=error_responses(422))
    def list_lines(
        self,
        db_session: Session,
        actor: Actor,
        action_id: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
        unit: CodeFilter = None,
        year: Year | None = None,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> Page[schemas.BudgetLine]:
        return service.list_lines(
            db_session,
            actor=actor,
            action_id=action_id,
            unit=unit,
            year=year,
            page=page,
            per_page=per_page,
        )

    @get(
        "/{line_id:int}",
        sync_to_thread=True,
        summary="Satu baris anggaran",
        responses=error_responses(404),
    )
    def get_line(
        self, db_session: Session, actor: Actor, line_id: LineId
    ) -> Response[schemas.BudgetLine]:
        line = service.get_line(db_session, line_id, actor=actor)
        return Response(line, headers={"ETag": etag(line.version)})

    @post(
        "/",
        sync_to_thread=True,
        summary="Tambah baris anggaran",
        responses=error_responses(404, 409, 422),
    )
    def create_line(
        self, db_session: Session, actor: Actor, data: schemas.BudgetLineCreate
    ) -> schemas.BudgetLine:
        return service.create_line(db_session, data, actor=actor)

    @patch(
        "/{line_id:int}",
        sync_to_thread=True,
        summary="Ubah baris anggaran",
        description="Wajib `If-Match` berisi ETag dari GET (atau `version`).",
        responses=error_responses(404, 409, 412, 422, 423, 428),
    )
    def update_line(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        actor: Actor,
        line_id: LineId,
        data: schemas.BudgetLineUpdate,
    ) -> Response[schemas.BudgetLine]:
        line = service.update_line(
            db_session, line_id, data, actor=actor, expected_version=if_match(request)
        )
        return Response(line, headers={"ETag": etag(line.version)})

    @delete(
        "/{line_id:int}",
        sync_to_thread=True,
        summary="Hapus baris anggaran",
        description="Wajib `If-Match` berisi ETag dari GET (atau `version`).",
        responses=error_responses(404, 412, 423, 428),
    )
    def delete_line(
        self, request: Request[Any, Any, Any], db_session: Session, actor: Actor, line_id: LineId
    ) -> None:
        service.delete_line(db_session, line_id, actor=actor, expected_version=if_match(request))


class FlagController(Controller):
    path = "/"
    tags = ["Anggaran"]

    @get(
        "/flags",
        sync_to_thread=True,
        summary="Flag anggaran per aksi-tahun",
        description="Setiap aksi-tahun yang aktif atau punya baris anggaran; `flag` menyaring "
        "satu kode, `flagged=true` hanya yang punya flag. `PRIORITAS` memakai KPI triwulan "
        "lengkap terakhir per `as_of` (bawaan: hari ini, paling lambat akhir tahun). `unit` "
        "adalah PD penanggung jawab aksi; daftar aksi (`/actions?unit=`) juga memuat aksi yang "
        "hanya didukung PD itu, jadi jumlahnya bisa lebih besar.",
        responses=error_responses(404, 422),
    )
    def list_flags(
        self,
        db_session: Session,
        settings: Settings,
        actor: Actor,
        year: Year,
        unit: CodeFilter = None,
        flag: Flag | None = None,
        flagged: bool = False,
        plan: CodeFilter = None,
        as_of: dt.date | None = None,
    ) -> list[schemas.ActionYearFlags]:
        return service.list_flags(
            db_session,
            year=year,
            unit=unit,
            flag=flag,
            plan=plan,
            only_flagged=flagged,
            as_of=as_of,
            settings=settings,
            actor=actor,
        )

    @get(
        "/summary",
        sync_to_thread=True,
        summary="Ringkasan anggaran per PD",
        description="Per PD penanggung jawab: aksi aktif, usulan, pagu, realisasi, selisih, "
        "aksi ber-flag. Uang yang diusulkan PD terkait untuk aksi PD lain dihitung pada PD "
        "penanggung jawab aksi itu.",
        responses=error_responses(404, 422),
    )
    def summary(
        self,
        db_session: Session,
        settings: Settings,
        actor: Actor,
        year: Year,
        plan: CodeFilter = None,
        as_of: dt.date | None = None,
    ) -> schemas.Summary:
        return service.summary(
            db_session, year=year, plan=plan, as_of=as_of, settings=settings, actor=actor
        )
