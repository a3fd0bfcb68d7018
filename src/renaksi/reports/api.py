"""HTTP downloads of the two report workbooks."""

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import Parameter
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.http import error_responses
from renaksi.reports import service
from renaksi.reports.styles import XLSX_MEDIA_TYPE
from renaksi.schemas import CODE_PATTERN
from renaksi.settings import Settings

Year = Annotated[int, Parameter(ge=2000, le=2100, description="tahun anggaran")]
CodeFilter = Annotated[str | None, Parameter(max_length=40, pattern=CODE_PATTERN)]
AsOf = Annotated[
    dt.date | None,
    Parameter(
        description="tanggal data (YYYY-MM-DD); bawaan hari ini (WITA), tidak boleh sesudah "
        "hari ini"
    ),
]


def download(report: service.RenderedReport) -> Response[bytes]:
    """The workbook as an attachment. The file name is built by us from codes and dates
    (``a-z0-9.-`` only), so it needs no quoting beyond the plain quotes."""
    return Response(
        content=report.content,
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{report.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


class ReportController(Controller):
    path = "/reports"
    tags = ["Laporan"]

    @get(
        "/budget-gap.xlsx",
        sync_to_thread=True,
        media_type=XLSX_MEDIA_TYPE,
        summary="Workbook selisih anggaran (untuk Bappeda)",
        description="Sheet Ringkasan, Rincian, Matriks, Prioritas, Keterangan. `unit` membatasi "
        "ke satu PD penanggung jawab (perencana: selalu PD-nya sendiri); `as_of` membekukan KPI "
        "untuk PRIORITAS, paling lambat akhir tahun `year` (workbook mencetak tanggal yang "
        "dipakai); usulan, pagu dan realisasi selalu data saat diunduh (data anggaran tidak "
        "menyimpan tanggal pencatatan).",
        responses=error_responses(404, 422),
    )
    def budget_gap(
        self,
        db_session: Session,
        settings: Settings,
        actor: Actor,
        year: Year,
        unit: CodeFilter = None,
        as_of: AsOf = None,
        plan: CodeFilter = None,
    ) -> Response[bytes]:
        return download(
            service.render_budget_gap(
                db_session,
                settings=settings,
                year=year,
                unit=unit,
                as_of=as_of,
                plan=plan,
                actor=actor,
            )
        )

    @get(
        "/quarterly.xlsx",
        sync_to_thread=True,
        media_type=XLSX_MEDIA_TYPE,
        summary="Laporan triwulan kepada Bupati",
        description="KPI per PD terhadap target, tren empat triwulan, progres rencana aksi, PD "
        "yang belum melapor, prioritas anggaran dan blok tanda tangan. `as_of` membekukan "
        "pengaduan, progres dan KPI untuk PRIORITAS (paling lambat akhir tahun `year`); data "
        "anggaran selalu data saat diunduh. Triwulan yang belum dimulai ditolak.",
        responses=error_responses(404, 422),
    )
    def quarterly(
        self,
        db_session: Session,
        settings: Settings,
        year: Year,
        quarter: Annotated[int, Parameter(ge=1, le=4, description="triwulan 1–4")],
        as_of: AsOf = None,
        plan: CodeFilter = None,
    ) -> Response[bytes]:
        return download(
            service.render_quarterly(
                db_session,
                settings=settings,
                year=year,
                quarter=quarter,
                as_of=as_of,
                plan=plan,
            )
        )
