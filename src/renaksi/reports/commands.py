"""``renaksi export …``: the report workbooks, shells over reports.service."""

import datetime as dt

import click

from renaksi.clikit import database_option, open_session
from renaksi.lapor.commands import parse_date_option
from renaksi.settings import Settings

BUDGET_AS_OF_HELP = (
    "KPI untuk PRIORITAS dibekukan per tanggal ini (YYYY-MM-DD), paling lambat akhir tahun "
    "laporan; bawaan hari ini (WITA), tidak boleh sesudah hari ini. Usulan, pagu dan "
    "realisasi selalu data saat ekspor."
)
QUARTERLY_AS_OF_HELP = (
    "Pengaduan, progres dan KPI untuk PRIORITAS dibekukan per tanggal ini (YYYY-MM-DD; KPI "
    "untuk PRIORITAS paling lambat akhir tahun laporan); bawaan hari ini (WITA), tidak boleh "
    "sesudah hari ini. Data anggaran selalu data saat ekspor."
)
OUT_HELP = (
    "Berkas tujuan, atau folder untuk nama bawaan; bawaan: nama bertanggal di folder ekspor "
    "(RENAKSI_EXPORTS_DIR, bawaan exports/)."
)


@click.group("export")
def export() -> None:
    """Workbook laporan: selisih anggaran (Bappeda) dan laporan triwulan (Bupati)."""


@export.command("budget-gap")
@click.option("--year", type=int, required=True, help="Tahun anggaran.")
@click.option("--unit", default=None, help="Kode PD penanggung jawab (bawaan: semua PD).")
@click.option("--as-of", "as_of", default=None, callback=parse_date_option, help=BUDGET_AS_OF_HELP)
@click.option("--plan", "plan_code", default=None, help="Kode rencana aksi.")
@click.option("--out", type=click.Path(dir_okay=True), default=None, help=OUT_HELP)
@database_option
def budget_gap(
    year: int,
    unit: str | None,
    as_of: dt.date | None,
    plan_code: str | None,
    out: str | None,
    settings: Settings,
) -> None:
    """Workbook selisih anggaran: Ringkasan, Rincian, Matriks, Prioritas, Keterangan.

    \b
    Contoh:
      renaksi export budget-gap --year 2025
      renaksi export budget-gap --year 2025 --unit DISKOMINFO --as-of 2025-06-30
      renaksi export budget-gap --year 2024 --out laporan/selisih-2024.xlsx
    """
    from renaksi.reports.service import write_budget_gap

    with open_session(settings) as session:
        path = write_budget_gap(
            session,
            settings=settings,
            year=year,
            unit=unit,
            as_of=as_of,
            plan=plan_code,
            out=out,
        )
    click.echo(f"Workbook selisih anggaran ditulis ke {path}")


@export.command("quarterly")
@click.option("--year", type=int, required=True, help="Tahun.")
@click.option("--quarter", type=click.IntRange(1, 4), required=True, help="Triwulan 1–4.")
@click.option(
    "--as-of", "as_of", default=None, callback=parse_date_option, help=QUARTERLY_AS_OF_HELP
)
@click.option("--plan", "plan_code", default=None, help="Kode rencana aksi.")
@click.option("--out", type=click.Path(dir_okay=True), default=None, help=OUT_HELP)
@database_option
def quarterly(
    year: int,
    quarter: int,
    as_of: dt.date | None,
    plan_code: str | None,
    out: str | None,
    settings: Settings,
) -> None:
    """Laporan triwulan kepada Bupati: KPI per PD, tren, progres, PD belum melapor,
    prioritas anggaran dan blok tanda tangan (RENAKSI_REPORT_SIGNER_*).

    \b
    Contoh:
      renaksi export quarterly --year 2024 --quarter 4
      renaksi export quarterly --year 2024 --quarter 3 --as-of 2024-10-15 --out exports/
    """
    from renaksi.reports.service import write_quarterly

    with open_session(settings) as session:
        path = write_quarterly(
            session,
            settings=settings,
            year=year,
            quarter=quarter,
            as_of=as_of,
            plan=plan_code,
            out=out,
        )
    click.echo(f"Laporan triwulan ditulis ke {path}")
