"""``create_app(settings)``: the only place where routes, plugins and error handlers are wired."""

import logging
from typing import Any

from litestar import Litestar, MediaType, Request, Response, Router, get
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty
from sqlalchemy.orm.exc import StaleDataError

from renaksi import __version__
from renaksi.audit.api import AuditController
from renaksi.auth.api import AuthController, UserController
from renaksi.auth.middleware import IdentityMiddleware, protect, route_guard
from renaksi.budget.api import BudgetLineController, FlagController
from renaksi.db import revision
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.errors import (
    ErrorBody,
    FieldError,
    PreconditionFailedError,
    RenaksiError,
    request_errors,
    translate,
)
from renaksi.http import API_PREFIX, document_auth_errors, etag, provide_actor, provide_session
from renaksi.lapor.api import HolidayController, KpiController, LaporController
from renaksi.locks.api import LockController
from renaksi.plan.api import ActionController, KpiLinkController, PlanController
from renaksi.reports.api import ReportController
from renaksi.settings import Settings
from renaksi.sla.api import SlaController
from renaksi.units.api import UnitController
from renaksi.web.routes import static_router, template_config, web_router

log = logging.getLogger("renaksi")

_HTTP_TITLES = {
    400: "Permintaan tidak valid",
    401: "Belum masuk",
    403: "Tidak diizinkan",
    404: "Tidak ditemukan",
    405: "Metode tidak diizinkan",
    413: "Berkas terlalu besar",
    415: "Jenis konten tidak didukung",
    429: "Terlalu banyak permintaan",
}


def _error(
    status: int, title: str, detail: str, errors: list[FieldError] | None = None
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(status, title, detail, errors or []),
        status_code=status,
        media_type=MediaType.JSON,
    )


def handle_renaksi_error(_: Request[Any, Any, Any], exc: RenaksiError) -> Response[ErrorBody]:
    response = _error(exc.status_code, exc.title, exc.detail, exc.errors)
    if isinstance(exc, PreconditionFailedError) and exc.current_version is not None:
        response.headers["ETag"] = etag(exc.current_version)
    return response


def handle_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    return _error(
        400,
        "Permintaan tidak valid",
        "Isian permintaan tidak valid; periksa daftar kesalahan.",
        request_errors(exc.detail, exc.extra),
    )


def handle_too_deep(_: Request[Any, Any, Any], __: RecursionError) -> Response[ErrorBody]:
    return _error(400, "Permintaan tidak valid", "JSON terlalu dalam bersarang.")


def handle_stale(_: Request[Any, Any, Any], exc: StaleDataError) -> Response[ErrorBody]:
    """Two writers read the same version; the database let only the first one through."""
    return _error(
        412,
        "Data sudah berubah",
        "Data ini baru saja diubah orang lain; muat ulang lalu ulangi perubahan Anda.",
    )


def _wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page outside the API (a mistyped address): it gets the web
    error page, not a JSON body."""
    path = request.url.path
    return not path.startswith(
        (API_PREFIX, "/static", "/schema")
    ) and "text/html" in request.headers.get("accept", "")


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code < 500 and _wants_page(request):
        from renaksi.web.common import handle_error as page_error

        return page_error(request, exc)
    status = exc.status_code
    title = _HTTP_TITLES.get(status, "Galat")
    if status >= 500:
        detail = "Terjadi kesalahan di server."
    elif status == 404 and exc.detail == "Not Found":
        detail = "Alamat tidak ditemukan."
    elif status == 405:
        detail = "Metode HTTP ini tidak didukung untuk alamat ini."
    else:
        detail = translate(exc.detail)
    return _error(status, title, detail)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """Last resort: log the traceback, never show it."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(
        500, "Kesalahan server", "Terjadi kesalahan di server. Kejadian ini sudah dicatat."
    )


#: the routes that take a file upload; their body limit comes from ``max_upload_bytes``
UPLOAD_ROUTES = frozenset({("POST", "/impor"), ("POST", f"{API_PREFIX}/lapor/imports")})
#: room for the multipart framing and the small form fields sent with the file
MULTIPART_ALLOWANCE = 64 * 1024


def _limit_uploads(app: Litestar, limit: int) -> None:
    """Give the upload routes the body limit of these settings (each app holds its own copy of
    the route handlers). Litestar answers 413 as soon as the declared or streamed body passes
    it, before the multipart parser keeps anything."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if (method, route.path) in UPLOAD_ROUTES:
                    handler.request_max_body_size = limit
                    handler._resolved_request_max_body_size = Empty  # re-read from the layers
                    found.add((method, route.path))
    if found != UPLOAD_ROUTES:
        raise RuntimeError(f"upload routes not found: {sorted(UPLOAD_ROUTES - found)}")


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


def create_app(settings: Settings) -> Litestar:
    engine = create_db_engine(settings.database_url, echo=settings.echo_sql)
    revision.configure(engine, seconds=settings.cache_seconds)
    session_factory = make_session_factory(engine)

    def on_startup(app: Litestar) -> None:
        app.state.session_factory = session_factory
        app.state.settings = settings

    def on_shutdown(_: Litestar) -> None:
        engine.dispose()

    api = Router(
        path=API_PREFIX,
        guards=[route_guard],
        route_handlers=[
            AuthController,
            UserController,
            AuditController,
            LockController,
            UnitController,
            PlanController,
            ActionController,
            KpiLinkController,
            BudgetLineController,
            FlagController,
            LaporController,
            KpiController,
            HolidayController,
            SlaController,
            ReportController,
        ],
    )
    config = AppConfig(
        route_handlers=[healthz, api, web_router(), static_router()],
        template_config=template_config(),
        dependencies={
            "db_session": Provide(provide_session),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        middleware=[IdentityMiddleware],
        exception_handlers={
            RenaksiError: handle_renaksi_error,
            ValidationException: handle_validation,
            StaleDataError: handle_stale,
            RecursionError: handle_too_deep,
            HTTPException: handle_http,
            HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
            Exception: handle_unexpected,
        },
        openapi_config=OpenAPIConfig(
            title="renaksi API",
            version=__version__,
            path="/schema",
            description="Rencana aksi SP4N LAPOR!, anggaran dan flag pendanaan. Semua galat "
            "memakai satu bentuk JSON: `ErrorBody`.",
            render_plugins=(
                [ScalarRenderPlugin(path="/"), SwaggerRenderPlugin(path="/swagger")]
                if settings.openapi_ui
                else []
            ),
            enabled_endpoints=None if settings.openapi_ui else {"openapi.json"},
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer"),
                    "SessionCookie": SecurityScheme(
                        type="apiKey", name="renaksi_session", security_scheme_in="cookie"
                    ),
                }
            ),
            security=[{"BearerToken": []}, {"SessionCookie": []}],
            use_handler_docstrings=True,
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        request_max_body_size=settings.max_json_body,
        debug=False,
    )
    app = Litestar.from_config(config)
    document_auth_errors(app)
    _limit_uploads(app, settings.max_upload_bytes + MULTIPART_ALLOWANCE)
    app.state.session_factory = session_factory
    app.state.settings = settings
    app.state.engine = engine
    app.state.allowed_hosts = frozenset(
        h.strip().lower() for h in settings.allowed_hosts.split(",")
    )
    app.asgi_handler = protect(app.asgi_handler, app.state.allowed_hosts)
    return app


def app_from_env() -> Litestar:
    """Factory for ``uvicorn renaksi.app:app_from_env --factory`` (several worker processes):
    settings come from the ``RENAKSI_*`` environment variables."""
    return create_app(Settings.from_env())
