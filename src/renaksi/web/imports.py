"""*Impor*: LAPOR! exports and plan workbooks, and mapping unmatched unit names."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.errors import FieldError, RenaksiError, ValidationError
from renaksi.lapor import service as lapor
from renaksi.lapor.api import UPLOAD_LIMIT
from renaksi.plan.importer import import_plan, not_in_file_note
from renaksi.settings import Settings
from renaksi.units import service as unit_service
from renaksi.web.common import check_csrf, field, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _import_page(
    request: Request[Any, Any, Any], session: Session, *, status_code: int = 200, **context: Any
) -> Template:
    return page(
        request,
        "import.html",
        status_code=status_code,
        unmatched=lapor.unmatched_units(session),
        units=unit_service.list_units(session),
        **context,
    )


@get("/impor", sync_to_thread=True)
def import_form(request: Request[Any, Any, Any], db_session: Session, actor: Actor) -> Template:
    return _import_page(request, db_session)


async def _upload(data: dict[str, Any], limit: int) -> tuple[str, bytes]:
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationError(
            "Pilih berkas yang akan diimpor.",
            [FieldError(field="file", message="Pilih berkas terlebih dahulu.")],
        )
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            "Berkas terlalu besar.",
            [
                FieldError(
                    field="file", message=f"Berkas melebihi {limit:,} bita.".replace(",", ".")
                )
            ],
        )
    return upload.filename, content


#: the body limit is set from ``settings.max_upload_bytes`` by ``create_app``; the web
#: router's guard (WEB_ROUTES) refuses anonymous and wrong-role callers before the body is read
@post("/impor", request_max_body_size=UPLOAD_LIMIT)
async def import_submit(
    request: Request[Any, Any, Any], settings: Settings, actor: Actor, data: Upload
) -> Template:
    """One form, two kinds of file: a LAPOR! export (CSV/XLSX) or a plan workbook."""
    check_csrf(request, data)
    kind = str(data.get("kind") or "lapor")
    dry_run = bool(data.get("dry_run"))
    skip_invalid = bool(data.get("skip_invalid"))
    # a refused file keeps the ticks, so a corrected file is again only tested if it was
    ticks = {"dry_run": dry_run, "skip_invalid": skip_invalid}
    factory = request.app.state.session_factory
    try:
        name, content = await _upload(data, settings.max_upload_bytes)
    except RenaksiError as exc:
        with factory() as session:
            return _import_page(
                request,
                session,
                status_code=422,
                kind=kind,
                errors={"file": exc.errors[0].message},
                error_message=exc.detail,
                ticks=ticks,
            )
    import anyio

    def run() -> Template:
        with factory() as session:
            session.info["actor"] = actor
            try:
                if kind == "rencana":
                    plan = import_plan(session, content, actor=actor, dry_run=dry_run)
                    note = plan.budget_lines_not_in_file
                    return _import_page(
                        request,
                        session,
                        kind=kind,
                        plan_result=plan,
                        plan_note=not_in_file_note(note) if note else None,
                        file_name=name,
                    )
                batch = lapor.import_complaints(
                    session,
                    content,
                    actor=actor,
                    file_name=name,
                    settings=settings,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                )
                return _import_page(request, session, kind=kind, batch=batch, file_name=name)
            except RenaksiError as exc:
                session.rollback()
                return _import_page(
                    request,
                    session,
                    status_code=exc.status_code,
                    kind=kind,
                    file_name=name,
                    import_errors=exc.errors,
                    error_message=exc.detail,
                    ticks=ticks,
                )

    return await anyio.to_thread.run_sync(run)


@post("/impor/alias", sync_to_thread=True)
def map_alias(
    request: Request[Any, Any, Any], db_session: Session, actor: Actor, data: Form
) -> Redirect | Template:
    """An unmatched LAPOR! unit name becomes an alias of the chosen unit: counted at once."""
    check_csrf(request, data)
    name, code = field(data, "name"), field(data, "unit")
    if not code:
        return _import_page(
            request,
            db_session,
            status_code=422,
            alias_errors={name: "Pilih PD."},
            error_message="Pilih PD untuk nama instansi itu.",
        )
    try:
        unit_service.add_alias(db_session, code, name, actor=actor)
    except RenaksiError as exc:
        db_session.rollback()
        if exc.status_code == 403:
            raise
        message = exc.errors[0].message if exc.errors else exc.detail
        return _import_page(
            request,
            db_session,
            status_code=exc.status_code,
            alias_errors={name: message},
            error_message=f"“{name}”: {message}." if exc.errors else exc.detail,
        )
    return redirect("/impor", f"“{name}” sekarang dicocokkan ke PD {code}.")
