"""HTTP routes for LAPOR! imports, unmatched unit names, KPIs and the holiday calendar."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.params import Body, Parameter
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.http import error_responses
from renaksi.lapor import schemas, service
from renaksi.settings import Settings


@dataclass
class ImportForm:
    """multipart/form-data body: the export file and two switches."""

    file: UploadFile
    dry_run: bool = False
    skip_invalid: bool = False


#: hard ceiling on an upload body; ``settings.max_upload_bytes`` may set a lower one
UPLOAD_LIMIT = 512 * 1024 * 1024


class LaporController(Controller):
    path = "/lapor"
    tags = ["SP4N LAPOR!"]

    @post(
        "/imports",
        sync_to_thread=True,
        summary="Impor ekspor SP4N LAPOR! (CSV/XLSX)",
        description="Satu transaksi: berkas dengan kesalahan ditolak utuh (semua kesalahan "
        "dicantumkan), kecuali `skip_invalid=true`.",
        responses=error_responses(413, 422),
        request_max_body_size=UPLOAD_LIMIT,
    )
    def import_export(
        self,
        db_session: Session,
        settings: Settings,
        actor: Actor,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.ImportBatch:
        content = data.file.file.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            raise ClientException("Berkas terlalu besar.", status_code=413)
        return service.import_complaints(
            db_session,
            content,
            actor=actor,
            file_name=data.file.filename or "upload",
            settings=settings,
            dry_run=data.dry_run,
            skip_invalid=data.skip_invalid,
        )

    @get("/imports", sync_to_thread=True, summary="Riwayat impor (terbaru dulu)")
    def list_imports(self, db_session: Session) -> list[schemas.ImportBatch]:
        return service.list_batches(db_session)

    @get(
        "/unmatched",
        sync_to_thread=True,
        summary="Nama instansi yang belum cocok dengan PD",
        description="Tambahkan alias PD (`POST /api/v1/units/{code}/aliases`) agar terhitung.",
    )
    def unmatched(self, db_session: Session) -> list[schemas.UnmatchedUnit]:
        return service.unmatched_units(db_session)

    @get(
        "/warnings",
        sync_to_thread=True,
        summary="Peringatan kualitas data pengaduan",
        responses=error_responses(422),
    )
    def warnings(
        self,
        db_session: Session,
        settings: Settings,
        year: Annotated[int, Parameter(ge=2000, le=2100)],
        quarter: Annotated[int | None, Parameter(ge=1, le=4)] = None,
        as_of: dt.date | None = None,
    ) -> list[schemas.QualityWarning]:
        return service.quality_warnings(
            db_session, settings=settings, year=year, quarter=quarter, as_of=as_of
        )


class KpiController(Controller):
    path = "/kpis"
    tags = ["SP4N LAPOR!"]

    @get(
        "/",
        sync_to_thread=True,
        summary="KPI penanganan pengaduan per PD",
        description="Satu objek per PD (tanpa pengaduan: hitungan 0, persentase null) dan satu "
        "total kabupaten (`unit_code` null). `as_of` membekukan tampilan.\n\n"
        "Pengaduan dengan peringatan kualitas data (`GET /api/v1/lapor/warnings`) tidak "
        "dihitung pada persentase yang tidak dapat ditempatinya: status PROSES/SELESAI tanpa "
        "tanggal tindak lanjut keluar dari penyebut `pct_followed_up` (dan tidak tepat waktu "
        "maupun terlambat), SELESAI tanpa tanggal selesai keluar dari penyebut "
        "`pct_resolved` dan `pct_resolved_within_60d`. Karena itu `pct_followed_up` bisa "
        "berbeda dari 100 × `followed_up` / `received`.",
        responses=error_responses(404, 422),
    )
    def kpis(
        self,
        db_session: Session,
        settings: Settings,
        year: Annotated[int, Parameter(ge=2000, le=2100)],
        quarter: Annotated[int | None, Parameter(ge=1, le=4)] = None,
        unit: Annotated[str | None, Parameter(max_length=40)] = None,
        as_of: dt.date | None = None,
    ) -> list[schemas.KpiRow]:
        return service.kpis(
            db_session, settings=settings, year=year, quarter=quarter, unit=unit, as_of=as_of
        )


class HolidayController(Controller):
    path = "/holidays"
    tags = ["Kalender kerja"]

    @get("/", sync_to_thread=True, summary="Hari libur nasional, cuti bersama dan libur lokal")
    def list_holidays(
        self, db_session: Session, year: Annotated[int, Parameter(ge=2000, le=2100)]
    ) -> list[schemas.Holiday]:
        return service.list_holidays(db_session, year=year)

    @post(
        "/", sync_to_thread=True, summary="Tambah libur lokal", responses=error_responses(409, 422)
    )
    def add_holiday(
        self, db_session: Session, actor: Actor, data: schemas.HolidayCreate
    ) -> schemas.Holiday:
        return service.add_holiday(db_session, data, actor=actor)

    @delete(
        "/{day:date}",
        sync_to_thread=True,
        summary="Hapus libur lokal",
        responses=error_responses(404),
    )
    def remove_holiday(self, db_session: Session, actor: Actor, day: dt.date) -> None:
        service.remove_holiday(db_session, day, actor=actor)
