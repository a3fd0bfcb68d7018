"""HTTP routes for units (PD) and aliases."""

from litestar import Controller, get, patch, post
from sqlalchemy.orm import Session

from renaksi.http import error_responses
from renaksi.units import schemas, service


class UnitController(Controller):
    path = "/units"
    tags = ["PD (units)"]

    @get("/", sync_to_thread=True, summary="Daftar PD")
    def list_units(self, db_session: Session) -> list[schemas.Unit]:
        return service.list_units(db_session)

    @get("/{code:str}", sync_to_thread=True, summary="Satu PD", responses=error_responses(404))
    def get_unit(self, db_session: Session, code: str) -> schemas.Unit:
        return service.get_unit(db_session, code)

    @post("/", sync_to_thread=True, summary="Tambah PD", responses=error_responses(409, 422))
    def create_unit(self, db_session: Session, data: schemas.UnitCreate) -> schemas.Unit:
        return service.create_unit(db_session, data)

    @patch(
        "/{code:str}", sync_to_thread=True, summary="Ubah PD", responses=error_responses(404, 422)
    )
    def update_unit(self, db_session: Session, code: str, data: schemas.UnitUpdate) -> schemas.Unit:
        return service.update_unit(db_session, code, data)

    @post(
        "/{code:str}/aliases",
        sync_to_thread=True,
        summary="Tambah alias PD",
        responses=error_responses(404, 409, 422),
    )
    def add_alias(self, db_session: Session, code: str, data: schemas.AliasCreate) -> schemas.Unit:
        return service.add_alias(db_session, code, data.alias)
