"""``renaksi db backup`` / ``renaksi db restore``.

SQLite: the backup is taken with SQLite's online backup API (``sqlite3.Connection.backup``) in
one step, i.e. inside one read transaction. In WAL mode a reader never blocks writers, so the
server keeps writing while the copy is made, and the copy is the database as of one commit.
The copy is written to a temporary file next to PATH, checked with ``PRAGMA integrity_check``,
switched to a self-contained rollback journal, synced and only then renamed to PATH.

Restore checks the backup (integrity, Alembic at head) on a private copy, then writes it into
the live database with the same backup API: that is one write transaction on the target, so
other connections see the old database or the new one, never a mix, and a ``-wal`` file of the
old database cannot be replayed over the new one (which a plain file rename would risk).
The database being replaced is first saved next to it (``…pra-restore-<time>``).

PostgreSQL: ``pg_dump``/``pg_restore`` are the tools (see docs/reliability.md); backup runs
``pg_dump --format=custom`` when it is installed, restore prints the command to run.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from renaksi.db.migrate import MIGRATIONS_DIR
from renaksi.errors import ConflictError, FieldError, NotFoundError, RenaksiError, ValidationError

DOCS = "docs/reliability.md (bagian 'Cadangan')"


class UnsupportedError(RenaksiError):
    """The operation is not done by renaksi for this database; the message says what to do."""

    title = "Tidak didukung"


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size_bytes: int
    revision: str | None
    tool: str


@dataclass(frozen=True, slots=True)
class RestoreResult:
    database: Path
    revision: str
    previous_copy: Path | None


def head_revisions() -> set[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def _sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for other backends. In-memory databases are refused."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise UnsupportedError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return Path(url.database)


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI (what pg_dump/pg_restore take)."""
    url = sa.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _shown_url(database_url: str) -> str:
    url = sa.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


# --- backup ------------------------------------------------------------------------------------


def backup(database_url: str, dest: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the database to ``dest`` (SQLite file, or a pg_dump custom-format archive)."""
    if dest.exists() and not overwrite:
        raise ConflictError(
            f"Berkas {dest} sudah ada; pilih nama lain atau pakai --overwrite.",
            [FieldError(field="path", value=str(dest), message="berkas sudah ada")],
        )
    if dest.parent and not dest.parent.is_dir():
        raise NotFoundError(f"Folder {dest.parent} tidak ada.")
    source = _sqlite_path(database_url)
    if source is None:
        return _pg_dump(database_url, dest)
    if not source.is_file():
        raise NotFoundError(f"Basis data {source} tidak ada.")
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.execute("PRAGMA busy_timeout=30000")
                src.backup(dst)  # pages=-1: the whole database in one step = one snapshot
                # the copy keeps the WAL flag of its source: make it one self-contained file
                dst.execute("PRAGMA journal_mode=DELETE")
                _require_integrity(dst, tmp)
                revision = _revision(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(dest, dest.stat().st_size, revision, "sqlite3 backup API")


def _pg_dump(database_url: str, dest: Path) -> BackupResult:
    if shutil.which("pg_dump") is None:
        raise UnsupportedError(
            "pg_dump tidak ditemukan. Cadangkan PostgreSQL dengan: "
            + " ".join(pg_dump_command(_shown_url(database_url), dest))
            + f" — lihat {DOCS}."
        )
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        done = subprocess.run(
            pg_dump_command(libpq_url(database_url), tmp),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise UnsupportedError(
                f"pg_dump gagal (kode {done.returncode}): {done.stderr.strip()[:500]}"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(dest, dest.stat().st_size, None, "pg_dump --format=custom")


def pg_dump_command(conninfo: str, dest: Path) -> list[str]:
    """``pg_dump`` in custom format (what ``pg_restore`` reads), without owners/privileges."""
    return [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={dest}",
        f"--dbname={conninfo}",
    ]


def pg_restore_command(database_url: str, archive: Path) -> list[str]:
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        f"--dbname={_shown_url(database_url)}",
        str(archive),
    ]


# --- restore -----------------------------------------------------------------------------------


def restore(database_url: str, backup_file: Path) -> RestoreResult:
    """Replace the SQLite database with a checked backup (one transaction on the target)."""
    target = _sqlite_path(database_url)
    if target is None:
        raise UnsupportedError(
            "Pemulihan PostgreSQL dilakukan dengan pg_restore, bukan oleh renaksi: "
            + " ".join(pg_restore_command(database_url, backup_file))
            + f" — lihat {DOCS}."
        )
    if not backup_file.is_file():
        raise NotFoundError(f"Berkas cadangan {backup_file} tidak ada.")
    if target.exists() and target.resolve() == backup_file.resolve():
        raise ConflictError("Berkas cadangan adalah basis data itu sendiri.")
    folder = target.parent if str(target.parent) else Path(".")
    # check a private copy: the backup file itself is never opened for writing
    checked = folder / f".{target.name}.restore-{os.getpid()}"
    checked.unlink(missing_ok=True)
    try:
        _copy_sqlite(backup_file, checked)
        conn = sqlite3.connect(checked)
        try:
            _require_integrity(conn, backup_file)
            revision = _revision(conn)
        finally:
            conn.close()
        heads = head_revisions()
        if revision is None or revision not in heads:
            raise ValidationError(
                f"Cadangan {backup_file.name} tidak pada versi skema terbaru "
                f"(cadangan: {revision or 'tanpa versi'}, terbaru: {', '.join(sorted(heads))}). "
                f"Mutakhirkan dulu salinannya: renaksi db upgrade --database-url "
                f"sqlite:///{backup_file}",
                [
                    FieldError(
                        field="alembic_version", value=revision, message="bukan versi terbaru"
                    )
                ],
            )
        if not target.exists():
            with open(checked, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(checked, target)
            _fsync_dir(folder)
            return RestoreResult(target, revision, None)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        previous = folder / f"{target.name}.pra-restore-{stamp}"
        backup(f"sqlite:///{target}", previous)
        src = sqlite3.connect(checked)
        dst = sqlite3.connect(target, timeout=30)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)  # one write transaction on the live database
            dst.execute("PRAGMA journal_mode=WAL")
            _require_integrity(dst, target)
        finally:
            src.close()
            dst.close()
        return RestoreResult(target, revision, previous)
    finally:
        checked.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{checked}{suffix}").unlink(missing_ok=True)


def _copy_sqlite(source: Path, dest: Path) -> None:
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(
            f"{source.name} bukan berkas basis data SQLite yang dapat dibaca.",
            [FieldError(field="path", value=str(source), message=str(exc)[:200])],
        ) from exc


def _require_integrity(conn: sqlite3.Connection, shown: Path) -> None:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows != ["ok"]:
        raise ValidationError(
            f"Pemeriksaan integritas {shown.name} gagal; berkas tidak dipakai.",
            [FieldError(message=r[:200]) for r in rows[:20]],
        )


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
