"""HTTP routes for units (PD) and aliases."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.http import error_responses, etag, if_match
from renaksi.schemas import CODE_PATTERN
from renaksi.units import schemas, service

UnitCode = Annotated[str, Parameter(max_length=40, pattern=CODE_PATTERN, description="kode PD")]


class UnitController(Controller):
    path = "/units"
    tags = ["PD (units)"]

    @get("/", sync_to_thread=True, summary="Daftar PD")
    def list_units(self, db_session: Session) -> list[schemas.Unit]:
        return service.list_units(db_session)

    @get("/{code:str}", sync_to_thread=True, summary="Satu PD", responses=error_responses(404))
    def get_unit(self, db_session: Session, code: UnitCode) -> Response[schemas.Unit]:
        unit = service.get_unit(db_session, code)
        return Response(unit, headers={"ETag": etag(unit.version)})

    @post("/", sync_to_thread=True, summary="Tambah PD", responses=error_responses(409, 422))
    def create_unit(
        self, db_session: Session, actor: Actor, data: schemas.UnitCreate
    ) -> schemas.Unit:
        return service.create_unit(db_session, data, actor=actor)

    @patch(
        "/{code:str}",
        sync_to_thread=True,
        summary="Ubah PD",
        description="Wajib `If-Match` berisi ETag dari GET (atau `version`).",
        responses=error_responses(404, 412, 422, 428),
    )
    def update_unit(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        actor: Actor,
        code: UnitCode,
        data: schemas.UnitUpdate,
    ) -> Response[schemas.Unit]:
        unit = service.update_unit(
            db_session, code, data, actor=actor, expected_version=if_match(request)
        )
        return Response(unit, headers={"ETag": etag(unit.version)})

    @post(
        "/{code:str}/aliases",
        sync_to_thread=True,
        summary="Tambah alias PD",
        responses=error_responses(404, 409, 422),
    )
    def add_alias(
        self, db_session: Session, actor: Actor, code: UnitCode, data: schemas.AliasCreate
    ) -> schemas.Unit:
        return service.add_alias(db_session, code, data.alias, actor=actor)
