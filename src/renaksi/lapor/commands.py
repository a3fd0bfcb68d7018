"""``renaksi lapor …``, ``renaksi calendar …`` and ``renaksi kpi``: shells over lapor.service."""

import datetime as dt
import functools
import sys
from pathlib import Path

import click

from renaksi.clikit import database_option, dump_json, open_session, operator
from renaksi.formatting import number
from renaksi.lapor import schemas
from renaksi.settings import Settings


def parse_date_option(_: click.Context, __: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("pakai format YYYY-MM-DD, mis. 2024-06-30") from exc


def print_batch(batch: schemas.ImportBatch) -> None:
    state = " — uji coba, tidak disimpan" if batch.dry_run else ""
    click.echo(f"Impor {batch.file_name}{state}:")
    click.echo(
        f"  dibaca {batch.rows_read}, baru {batch.inserted}, diubah {batch.updated}, "
        f"tetap {batch.unchanged}, ditolak {batch.rejected}"
    )
    for row in batch.rejected_rows[:50]:
        click.echo(f"  ditolak baris {row.row}: {'; '.join(row.errors)}")
    if batch.unmatched_units:
        click.echo(
            "  Nama instansi yang belum cocok dengan PD (tambahkan alias: "
            'renaksi units alias add KODE "NAMA"):'
        )
        for unit in batch.unmatched_units:
            click.echo(f"    {unit.name} ({unit.complaints} pengaduan)")


@click.group()
def lapor() -> None:
    """Ekspor pengaduan SP4N LAPOR!."""


@lapor.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa dan hitung saja, tanpa menyimpan.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Impor baris yang sah; baris salah dicatat pada batch impor.",
)
@database_option
def lapor_import(file: Path, dry_run: bool, skip_invalid: bool, settings: Settings) -> None:
    """Impor ekspor SP4N LAPOR! (CSV ',' atau ';', atau XLSX) dalam satu transaksi.

    Data pribadi (nama, HP, e-mail, NIK, alamat, isi laporan) tidak pernah dibaca. Impor
    ulang berkas yang sama tidak mengubah apa pun.

    \b
    Contoh:
      renaksi lapor import seeds/lapor-kutim-2022-2024.csv
      renaksi lapor import ekspor-lapor-2025.xlsx --skip-invalid
    """
    from renaksi.lapor.service import import_complaints

    data = file.read_bytes()
    with open_session(settings) as session:
        run = functools.partial(
            import_complaints,
            session,
            data,
            actor=operator(session),
            file_name=file.name,
            settings=settings,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
        if sys.stderr.isatty() and len(data) > 5_000_000:
            with click.progressbar(
                length=data.count(b"\n"), label="Menyimpan pengaduan", file=sys.stderr
            ) as bar:
                batch = run(progress=bar.update)
        else:
            batch = run()
    print_batch(batch)


@lapor.command("unmatched")
@database_option
def lapor_unmatched(settings: Settings) -> None:
    """Nama instansi di pengaduan yang belum cocok dengan kode, nama atau alias PD.

    \b
    Contoh:
      renaksi lapor unmatched
    """
    from renaksi.lapor.service import unmatched_units

    with open_session(settings) as session:
        rows = unmatched_units(session)
    for unit in rows:
        click.echo(f"{unit.complaints:>6}  {unit.name}")
    click.echo(f"{len(rows)} nama belum cocok.")


@click.group("calendar")
def calendar() -> None:
    """Kalender hari kerja: libur nasional, cuti bersama dan libur lokal."""


@calendar.command("add")
@click.argument("day", callback=parse_date_option)
@click.argument("name")
@database_option
def calendar_add(day: dt.date, name: str, settings: Settings) -> None:
    """Tambah libur lokal DAY (YYYY-MM-DD) bernama NAME.

    \b
    Contoh:
      renaksi calendar add 2024-09-13 "HUT Kabupaten Kutai Timur"
    """
    from renaksi.lapor.service import add_holiday

    with open_session(settings) as session:
        holiday = add_holiday(
            session, schemas.HolidayCreate(date=day, name=name), actor=operator(session)
        )
    click.echo(f"Libur lokal {holiday.date.isoformat()} — {holiday.name} ditambahkan.")


@calendar.command("list")
@click.option("--year", type=int, required=True, help="Tahun.")
@database_option
def calendar_list(year: int, settings: Settings) -> None:
    """Daftar hari libur (nasional, cuti bersama, lokal) dalam satu tahun.

    \b
    Contoh:
      renaksi calendar list --year 2024
    """
    from renaksi.lapor.service import list_holidays

    with open_session(settings) as session:
        rows = list_holidays(session, year=year)
    for holiday in rows:
        click.echo(f"{holiday.date.isoformat()}  {holiday.source:<8}  {holiday.name}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{number(round(value, 1))}%"


@click.command()
@click.option("--year", type=int, required=True, help="Tahun.")
@click.option("--quarter", type=click.IntRange(1, 4), default=None, help="Triwulan 1–4.")
@click.option("--unit", default=None, help="Kode PD.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=parse_date_option,
    help="Tampilan beku per tanggal (YYYY-MM-DD); bawaan hari ini.",
)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON: satu objek per PD + total.")
@database_option
def kpi(
    year: int,
    quarter: int | None,
    unit: str | None,
    as_of: dt.date | None,
    as_json: bool,
    settings: Settings,
) -> None:
    """KPI penanganan pengaduan per PD dan periode.

    \b
    Contoh:
      renaksi kpi --year 2024 --quarter 2
      renaksi kpi --year 2024 --unit PUPR --as-of 2024-12-31 --json
    """
    from renaksi.lapor.service import kpis, quality_warnings

    with open_session(settings) as session:
        rows = kpis(session, settings=settings, year=year, quarter=quarter, unit=unit, as_of=as_of)
        warnings = quality_warnings(
            session, settings=settings, year=year, quarter=quarter, as_of=as_of
        )
    if warnings:
        click.echo(f"Peringatan kualitas data ({len(warnings)} pengaduan):", err=True)
        for w in warnings[:30]:
            click.echo(
                f"  {w.tracking_id} ({w.unit_code or '-'}, {w.status}): {w.message}", err=True
            )
    if as_json:
        dump_json(rows)
        return
    click.echo(
        f"{'PD':<16}{'Masuk':>7}{'Ditindak':>10}{'%':>8}{'Selesai':>9}{'%':>8}"
        f"{'Tepat':>7}{'Telat':>7}{'% tepat':>9}{'Median':>8}{'% ≤60h':>9}"
    )
    for r in rows:
        click.echo(
            f"{r.unit_code or 'TOTAL':<16}{r.received:>7}{r.followed_up:>10}"
            f"{_pct(r.pct_followed_up):>8}{r.resolved:>9}{_pct(r.pct_resolved):>8}"
            f"{r.response_on_time:>7}{r.response_late:>7}{_pct(r.pct_response_on_time):>9}"
            f"{number(r.median_response_workdays):>8}{_pct(r.pct_resolved_within_60d):>9}"
        )
