"""The ``renaksi`` command: thin shells over the same services the API uses.

Errors a user can cause print a message in Bahasa Indonesia (every problem on its own line,
with sheet, row and column) and exit non-zero; they never print a traceback.
"""

import dataclasses
import datetime as dt
import os
from pathlib import Path

import click

from renaksi.auth import commands as auth_commands
from renaksi.clikit import counts_line, database_option, dump_json, open_session, operator
from renaksi.codes import Role
from renaksi.db.engine import create_db_engine
from renaksi.db.migrate import upgrade
from renaksi.errors import ConflictError
from renaksi.formatting import rupiah
from renaksi.lapor import commands as lapor_commands
from renaksi.lapor.commands import parse_date_option
from renaksi.reports.commands import export
from renaksi.settings import Settings

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="renaksi")
def main() -> None:
    """renaksi: rencana aksi SP4N LAPOR!, anggaran dan flag pendanaan per PD.

    \b
    Contoh:
      renaksi demo
      renaksi plan import seeds/renaksi-2022-2026.xlsx --dry-run
      renaksi flags --year 2025 --json
    """


# --- db ----------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Basis data: migrasi skema, cadangan dan pemulihan."""


@db.command("upgrade")
@database_option
def db_upgrade(settings: Settings) -> None:
    """Jalankan migrasi Alembic sampai versi terbaru.

    \b
    Contoh:
      renaksi db upgrade --database-url postgresql+psycopg://postgres@127.0.0.1/renaksi
    """
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    click.echo(f"Skema basis data mutakhir ({engine.url.render_as_string(hide_password=True)}).")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Timpa PATH bila sudah ada.")
@database_option
def db_backup(path: Path, overwrite: bool, settings: Settings) -> None:
    """Cadangkan basis data ke PATH (aman selagi server menulis).

    SQLite: salinan daring lewat API backup SQLite, diperiksa integritasnya. PostgreSQL:
    pg_dump --format=custom (lihat docs/reliability.md).

    \b
    Contoh:
      renaksi db backup cadangan/renaksi-2025-06-30.db
    """
    from renaksi.db.backup import backup

    result = backup(settings.database_url, path, overwrite=overwrite)
    click.echo(
        f"Cadangan ditulis ke {result.path} ({result.size_bytes:,} bait, {result.tool}"
        f"{', skema ' + result.revision if result.revision else ''})."
    )


@db.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Jangan bertanya konfirmasi.")
@database_option
def db_restore(path: Path, yes: bool, settings: Settings) -> None:
    """Pulihkan basis data SQLite dari cadangan PATH.

    Cadangan diperiksa dulu (integrity_check, skema Alembic terbaru); basis data lama
    disimpan di sebelahnya (…pra-restore-WAKTU) lalu diganti dalam satu transaksi.
    PostgreSQL: pakai pg_restore (perintahnya dicetak).

    \b
    Contoh:
      renaksi db restore cadangan/renaksi-2025-06-30.db --yes
    """
    from renaksi.db.backup import restore

    if not yes:
        click.confirm(
            "Basis data sekarang akan diganti dengan isi cadangan. Lanjutkan?", abort=True
        )
    result = restore(settings.database_url, path)
    saved = f"; yang lama disimpan di {result.previous_copy}" if result.previous_copy else ""
    click.echo(
        f"Basis data {result.database} dipulihkan dari {path} (skema {result.revision}){saved}."
    )


# --- units -------------------------------------------------------------------------------------


@main.group()
def units() -> None:
    """PD (perangkat daerah) dan aliasnya."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa dan hitung saja, tanpa menyimpan.")
@database_option
def units_import(file: Path, dry_run: bool, settings: Settings) -> None:
    """Impor daftar PD (CSV: code,name,kind,aliases; alias dipisah '|').

    Membuat PD baru atau memperbarui menurut kode.

    \b
    Contoh:
      renaksi units import seeds/units.csv
    """
    from renaksi.units.service import import_units

    with open_session(settings) as session:
        result = import_units(session, file, actor=operator(session), dry_run=dry_run)
    click.echo(f"Daftar PD {file.name}{' (uji coba, tidak disimpan)' if dry_run else ''}:")
    click.echo(counts_line("PD", result.units))


@units.command("list")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@database_option
def units_list(as_json: bool, settings: Settings) -> None:
    """Tampilkan semua PD.

    \b
    Contoh:
      renaksi units list --json
    """
    from renaksi.units.service import list_units

    with open_session(settings) as session:
        rows = list_units(session)
    if as_json:
        dump_json(rows)
        return
    for unit in rows:
        click.echo(f"{unit.code:<16} {unit.kind.value:<12} {unit.name}")


@units.group("alias")
def units_alias() -> None:
    """Alias PD (nama PD di ekspor SP4N LAPOR!)."""


@units_alias.command("add")
@click.argument("code")
@click.argument("name")
@database_option
def units_alias_add(code: str, name: str, settings: Settings) -> None:
    """Tambahkan alias NAME ke PD berkode CODE.

    \b
    Contoh:
      renaksi units alias add DISKOMINFO "Dinas Kominfo Kab. Kutim"
    """
    from renaksi.units.service import add_alias

    with open_session(settings) as session:
        unit = add_alias(session, code, name, actor=operator(session))
    click.echo(f"{unit.code}: alias sekarang {', '.join(unit.aliases)}")


# --- plan --------------------------------------------------------------------------------------


@main.group()
def plan() -> None:
    """Workbook rencana aksi (sheet Aksi, Anggaran, KPI)."""


@plan.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa dan hitung saja, tanpa menyimpan.")
@click.option(
    "--plan",
    "plan_code",
    default=None,
    help="Kode rencana aksi tujuan (wajib bila ada beberapa rencana aksi).",
)
@database_option
def plan_import(file: Path, dry_run: bool, plan_code: str | None, settings: Settings) -> None:
    """Impor workbook rencana aksi: membuat atau memperbarui menurut Kode Aksi.

    Semua kesalahan dicantumkan sekaligus (sheet, baris, kolom, nilai) dan tidak ada yang
    disimpan. Impor ulang berkas yang sama tidak mengubah apa pun.

    \b
    Contoh:
      renaksi plan import seeds/renaksi-2022-2026.xlsx --dry-run
      renaksi plan import renaksi-2027-2031.xlsx --plan RENAKSI-2027-2031
    """
    from renaksi.plan.importer import import_plan, not_in_file_note

    with open_session(settings) as session:
        result = import_plan(
            session, file, actor=operator(session), plan=plan_code, dry_run=dry_run
        )
    state = "dibuat" if result.plan_created else "sudah ada"
    click.echo(
        f"Rencana aksi {result.plan} ({state}){' — uji coba, tidak disimpan' if dry_run else ''}:"
    )
    click.echo(counts_line("Aksi", result.actions))
    click.echo(counts_line("Anggaran", result.budget_lines))
    click.echo(counts_line("KPI", result.kpi_links))
    if result.budget_lines_not_in_file:
        click.echo(not_in_file_note(result.budget_lines_not_in_file))


@plan.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_code", default=None, help="Kode rencana aksi.")
@database_option
def plan_export(file: Path, plan_code: str | None, settings: Settings) -> None:
    """Ekspor rencana aksi ke workbook dengan tata letak yang sama dengan impor.

    \b
    Contoh:
      renaksi plan export exports/renaksi-2022-2026.xlsx
    """
    from renaksi.plan.exporter import write_plan

    with open_session(settings) as session:
        path = write_plan(session, file, plan=plan_code)
    click.echo(f"Workbook rencana aksi ditulis ke {path}")


# --- flags and summary ------------------------------------------------------------------------


@main.command()
@click.option("--year", type=int, required=True, help="Tahun anggaran.")
@click.option("--unit", default=None, help="Kode PD penanggung jawab.")
@click.option("--flagged", is_flag=True, help="Hanya aksi yang punya flag.")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON (satu objek per aksi-tahun).")
@click.option("--plan", "plan_code", default=None, help="Kode rencana aksi.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=parse_date_option,
    help="KPI untuk PRIORITAS dibekukan per tanggal ini (YYYY-MM-DD).",
)
@database_option
def flags(
    year: int,
    unit: str | None,
    flagged: bool,
    as_json: bool,
    plan_code: str | None,
    as_of: dt.date | None,
    settings: Settings,
) -> None:
    """Flag anggaran per aksi-tahun: TANPA_PAGU, KURANG_PAGU, BELUM_USULAN, PRIORITAS.

    PRIORITAS: tanpa/kurang pagu dan KPI pengaduan yang ditautkan di bawah target pada
    triwulan lengkap terakhir per --as-of (bawaan hari ini, paling lambat akhir tahun).

    \b
    Contoh:
      renaksi flags --year 2025
      renaksi flags --year 2024 --as-of 2024-12-31 --unit PUPR --json
    """
    from renaksi.budget.service import list_flags

    with open_session(settings) as session:
        rows = list_flags(
            session,
            year=year,
            unit=unit,
            plan=plan_code,
            only_flagged=flagged,
            as_of=as_of,
            settings=settings,
        )
    if as_json:
        dump_json(rows)
        return
    click.echo(
        f"{'Kode Aksi':<10} {'PD':<14} {'Usulan':>17} {'Pagu':>17} {'Realisasi':>17} "
        f"{'Selisih':>17}  Flag"
    )
    for r in rows:
        click.echo(
            f"{r.action_code:<10} {r.unit_code:<14} {rupiah(r.usulan):>17} "
            f"{rupiah(r.pagu):>17} {rupiah(r.realisasi):>17} {rupiah(r.gap):>17}  "
            f"{', '.join(f.value for f in r.flags) or '-'}"
        )
    click.echo(f"{len(rows)} aksi-tahun, {sum(1 for r in rows if r.flags)} dengan flag.")


@main.command()
@click.option("--year", type=int, required=True, help="Tahun anggaran.")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.option("--plan", "plan_code", default=None, help="Kode rencana aksi.")
@database_option
def summary(year: int, as_json: bool, plan_code: str | None, settings: Settings) -> None:
    """Ringkasan anggaran per PD: aksi aktif, usulan, pagu, realisasi, selisih.

    \b
    Contoh:
      renaksi summary --year 2025
    """
    from renaksi.budget.service import summary as build_summary

    with open_session(settings) as session:
        result = build_summary(session, year=year, plan=plan_code)
    if as_json:
        dump_json(result)
        return
    click.echo(
        f"{'PD':<16}{'Aktif':>6}{'Usulan':>18}{'Pagu':>18}{'Selisih':>18}{'Flag':>6}{'Berpagu':>9}"
    )
    for u in [*result.units, result.total]:
        share = "-" if u.share_funded is None else f"{u.share_funded:.0%}"
        click.echo(
            f"{u.unit_code or 'TOTAL':<16}{u.active_actions:>6}{rupiah(u.usulan):>18}"
            f"{rupiah(u.pagu):>18}{rupiah(u.gap):>18}{u.flagged_actions:>6}{share:>9}"
        )


# --- serve and demo ---------------------------------------------------------------------------


def _serve(settings: Settings, host: str | None, port: int | None, workers: int = 1) -> None:
    import uvicorn

    from renaksi.app import create_app

    host, port = host or settings.host, port or settings.port
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(
        f"renaksi berjalan di http://{shown}:{port}/  "
        f"(API: /api/v1, dokumentasi API: http://{shown}:{port}/schema)"
    )
    click.echo("Tekan Ctrl+C untuk berhenti.")
    if workers > 1:
        # each worker process builds its app from RENAKSI_* (see renaksi.app.app_from_env)
        os.environ["RENAKSI_DATABASE_URL"] = settings.database_url
        os.environ["RENAKSI_DEVELOPMENT"] = "true" if settings.development else "false"
        uvicorn.run(
            "renaksi.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@main.command()
@click.option("--host", default=None, help="Alamat (bawaan 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (bawaan 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    help="Jumlah proses server (pakai PostgreSQL bila lebih dari 1).",
)
@database_option
def serve(host: str | None, port: int | None, workers: int, settings: Settings) -> None:
    """Jalankan server HTTP (skema basis data dimutakhirkan lebih dulu).

    \b
    Contoh:
      renaksi serve --host 0.0.0.0 --port 8080
      renaksi serve --workers 4 --database-url postgresql+psycopg://renaksi@db/renaksi
    """
    _serve(settings, host, port, workers)


def load_demo(settings: Settings, seeds: Path) -> None:
    """Load the Kutai Timur demo through the real importers (idempotent)."""
    from renaksi.lapor.service import import_complaints
    from renaksi.plan.importer import import_plan
    from renaksi.units.service import import_units

    with open_session(settings) as session:
        session.info["actor_name"] = DEMO_ACTOR  # how demo_refusal knows the demo's own rows
        actor = operator(session)
        result = import_units(session, seeds / "units.csv", actor=actor)
        click.echo(counts_line("PD", result.units))
        for workbook in sorted(seeds.glob("renaksi-*.xlsx")):
            plan_result = import_plan(session, workbook, actor=actor)
            click.echo(f"Rencana aksi {plan_result.plan} dari {workbook.name}:")
            click.echo(counts_line("Aksi", plan_result.actions))
            click.echo(counts_line("Anggaran", plan_result.budget_lines))
            click.echo(counts_line("KPI", plan_result.kpi_links))
        for export in sorted(seeds.glob("lapor-*.csv")):
            batch = import_complaints(
                session,
                export.read_bytes(),
                actor=actor,
                file_name=export.name,
                settings=settings,
            )
            click.echo(
                f"Pengaduan SP4N LAPOR! dari {export.name}: {batch.inserted} baru, "
                f"{batch.updated} diubah, {batch.unchanged} tetap, "
                f"{len(batch.unmatched_units)} nama instansi belum cocok"
            )


DEMO_USERS = [
    ("admin", Role.ADMIN, None, "Admin Diskominfo"),
    ("koordinator", Role.KOORDINATOR, None, "Koordinator SP4N LAPOR! Diskominfo Staper"),
    ("perencana.dinkes", Role.PERENCANA, "DINKES", "Perencana Dinas Kesehatan"),
    ("perencana.pupr", Role.PERENCANA, "PUPR", "Perencana Dinas PUPR"),
    ("bappeda", Role.BAPPEDA, None, "Analis Bappeda"),
]


#: audit name of the demo loader; ``demo`` only touches a database whose rows it made
DEMO_ACTOR = "demo"


def demo_refusal(settings: Settings) -> str | None:
    """Why ``renaksi demo`` must leave this database alone, or None.

    The demo gives its accounts (``admin``, ``koordinator``, ...) new passwords and loads the
    Kutai Timur data, so it runs only on an empty database or one that holds nothing but the
    demo: accounts with the demo's names, and changes (audit trail, LAPOR! imports) made by
    the demo loader or by those accounts.
    """
    import sqlalchemy as sa

    from renaksi.db.models import AuditLog, ImportBatch, User

    demo_names = {name for name, *_ in DEMO_USERS}
    ours = demo_names | {DEMO_ACTOR}
    with open_session(settings) as session:
        users = set(session.scalars(sa.select(User.username)))
        actors = set(session.scalars(sa.select(AuditLog.actor).distinct()))
        importers = set(session.scalars(sa.select(ImportBatch.imported_by).distinct()))
    if others := sorted(users - demo_names):
        return f"basis data ini sudah berisi akun di luar demo ({', '.join(others[:5])})"
    others = sorted((actors | importers) - ours)
    if others and importers == {DEMO_ACTOR} and all(a.startswith("cli") for a in others):
        # an older demo: its loader imported LAPOR! as "demo" but audited as "cli:<user>"
        return None
    if others:
        return (
            f"basis data ini berisi data yang tidak dibuat demo (oleh {', '.join(others[:5])}); "
            "bila ini basis data demo lama, hapus berkasnya atau jalankan dengan --force"
        )
    return None


def demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    """Create (or give new passwords to) the demo users; returns (user, role, password)."""
    from renaksi.auth import schemas as auth_schemas
    from renaksi.auth.commands import generated_password
    from renaksi.auth.service import create_user, list_users, set_password

    printed: list[tuple[str, str, str]] = []
    with open_session(settings) as session:
        session.info["actor_name"] = DEMO_ACTOR
        actor = operator(session)
        existing = {u.username for u in list_users(session)}
        for username, role, unit, full_name in DEMO_USERS:
            password = generated_password()
            if username in existing:
                set_password(session, username, password, actor=actor)
            else:
                create_user(
                    session,
                    auth_schemas.UserCreate(
                        username=username,
                        password=password,
                        role=role,
                        unit=unit,
                        full_name=full_name,
                    ),
                    actor=actor,
                )
            printed.append((username, f"{role.value}{' ' + unit if unit else ''}", password))
    return printed


@main.command()
@click.option("--host", default=None, help="Alamat (bawaan 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (bawaan 8000).")
@click.option(
    "--seeds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder data demo (bawaan: seeds/ di repositori).",
)
@click.option("--no-serve", is_flag=True, help="Muat data demo saja, tanpa menjalankan server.")
@click.option(
    "--force",
    is_flag=True,
    help="Tetap jalankan pada basis data yang berisi akun/data lain (sandi akun demo direset).",
)
@database_option
def demo(
    host: str | None,
    port: int | None,
    seeds: Path | None,
    no_serve: bool,
    force: bool,
    settings: Settings,
) -> None:
    """Demo Kabupaten Kutai Timur: buat basis data, muat seeds/, jalankan server.

    Menolak basis data yang sudah berisi akun atau data di luar demo (kecuali --force):
    demo memberi sandi baru kepada akun admin, koordinator dan bappeda.

    \b
    Contoh:
      renaksi demo --database-url sqlite:///demo.db
      renaksi demo --port 8080 --database-url sqlite:///demo.db
    """
    if not force and (why := demo_refusal(settings)):
        raise ConflictError(
            f"Demo tidak dijalankan: {why}. Demo memuat data Kutai Timur dan memberi sandi baru "
            "kepada akun demo (admin, koordinator, bappeda, ...). Pakai basis data lain, mis. "
            "--database-url sqlite:///demo.db, atau --force bila memang disengaja."
        )
    seeds = seeds or (SEEDS_DIR if SEEDS_DIR.is_dir() else Path("seeds"))
    settings = dataclasses.replace(settings, development=True)  # plain-HTTP demo on loopback
    click.echo(f"Memuat data demo Kutai Timur dari {seeds} ...")
    load_demo(settings, seeds)
    click.echo("\nAkun demo (kata sandi baru setiap kali demo dijalankan):")
    for username, role, password in demo_accounts(settings):
        click.echo(f"  {username:<18} {role:<20} {password}")
    if not no_serve:
        _serve(settings, host, port)


main.add_command(auth_commands.users)
main.add_command(auth_commands.tokens)
main.add_command(lapor_commands.lapor)
main.add_command(lapor_commands.calendar)
main.add_command(lapor_commands.kpi)
main.add_command(export)

if __name__ == "__main__":
    main()
