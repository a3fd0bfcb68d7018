"""HTTP routes: login/logout, the current user, personal API tokens, user management."""

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import ClientException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.orm import Session

from renaksi.auth import schemas, service
from renaksi.auth.actor import Actor
from renaksi.auth.middleware import SESSION_COOKIE, _cookie
from renaksi.http import PathId, error_responses, if_match
from renaksi.settings import Settings


def json_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Login takes ``application/json`` only (415 otherwise): a plain HTML form on another site
    can send ``text/plain`` or urlencoded bodies, but not JSON, so it cannot log a victim's
    browser into the attacker's account (login CSRF)."""
    media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ClientException(
            "Kirim data masuk sebagai JSON (Content-Type: application/json).", status_code=415
        )


class AuthController(Controller):
    path = "/auth"
    tags = ["Akun"]

    @post(
        "/login",
        sync_to_thread=True,
        summary="Masuk (sesi peramban)",
        description="Membuat sesi BARU (cookie HttpOnly) dan mengembalikan token CSRF yang "
        "wajib dikirim sebagai `X-CSRF-Token` pada setiap perubahan data.",
        responses=error_responses(401, 415, 429),
        guards=[json_only],
    )
    def login(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        settings: Settings,
        data: schemas.Login,
    ) -> Response[schemas.LoginResult]:
        client = request.client.host if request.client else "?"
        token, result = service.login(
            db_session,
            data,
            client=client,
            previous=_cookie(request.headers.get("cookie", ""), SESSION_COOKIE),
        )
        return Response(
            result,
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value=token,
                    httponly=True,
                    samesite="lax",
                    path="/",
                    secure=not settings.insecure_cookies,
                    max_age=service.SESSION_HOURS * 3600,
                )
            ],
        )

    @post("/logout", sync_to_thread=True, summary="Keluar", status_code=200)
    def logout(
        self, request: Request[Any, Any, Any], db_session: Session, settings: Settings
    ) -> Response[dict[str, str]]:
        service.logout(db_session, _cookie(request.headers.get("cookie", ""), SESSION_COOKIE))
        return Response(
            {"detail": "Anda sudah keluar."},
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value="",
                    max_age=0,
                    httponly=True,
                    samesite="lax",
                    path="/",
                    secure=not settings.insecure_cookies,
                )
            ],
        )

    @get("/me", sync_to_thread=True, summary="Pengguna yang sedang masuk")
    def me(self, db_session: Session, actor: Actor) -> schemas.User:
        users = {u.id: u for u in service.list_users(db_session)}
        return users[service.require_user(actor)]

    @get("/tokens", sync_to_thread=True, summary="Token API saya")
    def list_tokens(self, db_session: Session, actor: Actor) -> list[schemas.Token]:
        return service.list_tokens(db_session, service.require_user(actor))

    @post("/tokens", sync_to_thread=True, summary="Buat token API (rahasia ditampilkan sekali)")
    def create_token(
        self, db_session: Session, actor: Actor, data: schemas.TokenCreate
    ) -> schemas.NewToken:
        return service.create_token(db_session, service.require_user(actor), data.name)

    @delete(
        "/tokens/{token_id:int}",
        sync_to_thread=True,
        summary="Cabut token API",
        responses=error_responses(404),
    )
    def revoke_token(self, db_session: Session, actor: Actor, token_id: PathId) -> None:
        service.revoke_token(db_session, actor, token_id)


class UserController(Controller):
    path = "/users"
    tags = ["Akun"]

    @get("/", sync_to_thread=True, summary="Daftar pengguna")
    def list_users(self, db_session: Session) -> list[schemas.User]:
        return service.list_users(db_session)

    @post("/", sync_to_thread=True, summary="Tambah pengguna", responses=error_responses(409, 422))
    def create_user(
        self, db_session: Session, actor: Actor, data: schemas.UserCreate
    ) -> schemas.User:
        return service.create_user(db_session, data, actor=actor)

    @patch(
        "/{user_id:int}",
        sync_to_thread=True,
        summary="Ubah, nonaktifkan atau ganti sandi",
        description="Wajib `If-Match` dengan versi dari daftar pengguna.",
        responses=error_responses(404, 409, 412, 422, 428),
    )
    def update_user(
        self,
        request: Request[Any, Any, Any],
        db_session: Session,
        actor: Actor,
        user_id: PathId,
        data: schemas.UserUpdate,
    ) -> schemas.User:
        return service.update_user(
            db_session, user_id, data, actor=actor, expected_version=if_match(request)
        )
