"""HTTP routes for period locks."""

from litestar import Controller, delete, get, post
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.http import PathId, error_responses
from renaksi.locks import service


class LockController(Controller):
    path = "/locks"
    tags = ["Kunci periode"]

    @get("/", sync_to_thread=True, summary="Periode yang dikunci")
    def list_locks(self, db_session: Session) -> list[service.Lock]:
        return service.list_locks(db_session)

    @post(
        "/",
        sync_to_thread=True,
        summary="Kunci periode (koordinator)",
        responses=error_responses(409, 422),
    )
    def lock(self, db_session: Session, actor: Actor, data: service.LockCreate) -> service.Lock:
        return service.lock(db_session, actor, data)

    @delete(
        "/{lock_id:int}",
        sync_to_thread=True,
        summary="Buka kunci periode (admin)",
        responses=error_responses(404),
    )
    def unlock(self, db_session: Session, actor: Actor, lock_id: PathId) -> None:
        service.unlock(db_session, lock_id, actor=actor)
