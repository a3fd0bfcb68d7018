"""``renaksi users …`` and ``renaksi tokens …``: account administration on the server."""

import secrets
import sys
from typing import Any

import click
import msgspec

from renaksi.auth import schemas
from renaksi.clikit import database_option, dump_json, open_session, operator
from renaksi.codes import Role
from renaksi.errors import FieldError, ValidationError, translate
from renaksi.settings import Settings


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi")
    return value


def _checked(kind: Any, value: object, *, field: str | None = None) -> Any:
    """``value`` as the API's own type ``kind``, so the CLI admits exactly the names, codes and
    lengths ``POST /api/v1/users`` (and the web form) admit; else an error naming the field
    (exit code 2). A password is never echoed."""
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        if field is None and "$." in message:
            field = message.rsplit("$.", 1)[-1].rstrip("`")
        given = value.get(field) if isinstance(value, dict) else value
        raise ValidationError(
            f"Nama pengguna tidak valid: {schemas.USERNAME_RULE}."
            if field == "username"
            else "Data pengguna tidak valid.",
            [
                FieldError(
                    field=field,
                    value=None if field == "password" or given is None else str(given),
                    message=translate(message),
                )
            ],
        ) from None


@click.group()
def users() -> None:
    """Akun pengguna: admin, koordinator, perencana (per PD), bappeda."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", default=None, help="Kode PD (wajib untuk perencana).")
@click.option("--full-name", default="", help="Nama lengkap.")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari stdin.")
@database_option
def users_add(
    username: str,
    role: str,
    unit: str | None,
    full_name: str,
    password_stdin: bool,
    settings: Settings,
) -> None:
    """Tambah pengguna; kata sandi diminta (tidak pernah lewat argumen).

    \b
    Contoh (admin pertama):
      renaksi users add admin --role admin
      echo 'sandi-yang-panjang' | renaksi users add siti --role perencana --unit DINKES --password-stdin
    """
    from renaksi.auth.service import create_user

    _checked(schemas.Username, username, field="username")  # before asking for the password
    data: schemas.UserCreate = _checked(
        schemas.UserCreate,
        {
            "username": username,
            "password": _read_password(password_stdin),
            "role": role,
            "full_name": full_name,
            "unit": unit,
        },
    )
    with open_session(settings) as session:
        user = create_user(session, data, actor=operator(session))
    click.echo(
        f"Pengguna {user.username} ({user.role.value}"
        f"{', ' + user.unit if user.unit else ''}) dibuat."
    )


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@database_option
def users_list(as_json: bool, settings: Settings) -> None:
    """Daftar pengguna.

    \b
    Contoh:
      renaksi users list
    """
    from renaksi.auth.service import list_users

    with open_session(settings) as session:
        rows = list_users(session)
    if as_json:
        dump_json(rows)
        return
    for u in rows:
        state = "aktif" if u.active else "nonaktif"
        click.echo(f"{u.username:<20} {u.role.value:<12} {u.unit or '-':<14} {state}")


@users.command("disable")
@click.argument("username")
@database_option
def users_disable(username: str, settings: Settings) -> None:
    """Nonaktifkan pengguna: semua sesi dan tokennya langsung berakhir. Admin aktif terakhir
    tidak dapat dinonaktifkan; aktifkan lagi dengan ``users enable``.

    \b
    Contoh:
      renaksi users disable budi
    """
    from renaksi.auth.service import set_active

    with open_session(settings) as session:
        set_active(session, username, False, actor=operator(session))
    click.echo(f"Pengguna {username} dinonaktifkan; sesi dan tokennya dicabut.")


@users.command("enable")
@click.argument("username")
@database_option
def users_enable(username: str, settings: Settings) -> None:
    """Aktifkan kembali pengguna yang dinonaktifkan: ia bisa masuk lagi (sesi dan token lamanya
    tetap dicabut).

    \b
    Contoh:
      renaksi users enable budi
    """
    from renaksi.auth.service import set_active

    with open_session(settings) as session:
        set_active(session, username, True, actor=operator(session))
    click.echo(f"Pengguna {username} aktif kembali; ia bisa masuk lagi.")


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari stdin.")
@database_option
def users_password(username: str, password_stdin: bool, settings: Settings) -> None:
    """Ganti kata sandi pengguna (sesi dan tokennya berakhir).

    \b
    Contoh:
      renaksi users password siti
    """
    from renaksi.auth.service import set_password

    password = _read_password(password_stdin)
    with open_session(settings) as session:
        set_password(session, username, password, actor=operator(session))
    click.echo(f"Kata sandi {username} diganti.")


@click.group()
def tokens() -> None:
    """Token API pribadi untuk skrip (Authorization: Bearer …)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="Untuk apa token ini.")
@database_option
def tokens_create(username: str, name: str, settings: Settings) -> None:
    """Buat token API untuk USERNAME; rahasianya hanya ditampilkan sekali.

    \b
    Contoh:
      renaksi tokens create bappeda1 --name "unduh laporan mingguan"
    """
    from renaksi.auth.service import create_token, find_user

    with open_session(settings) as session:
        user = find_user(session, username)
        session.rollback()
        new = create_token(session, user.id, name)
    click.echo(f"Token {new.token.id} ({new.token.name}) untuk {username}:")
    click.echo(new.secret)


@tokens.command("list")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@database_option
def tokens_list(username: str, as_json: bool, settings: Settings) -> None:
    """Token API milik USERNAME: id, nama, awalan, dibuat, terakhir dipakai (per jam), status.

    \b
    Contoh:
      renaksi tokens list bappeda1
    """
    from renaksi.auth.service import find_user, list_tokens
    from renaksi.lapor.service import WITA

    with open_session(settings) as session:
        rows = list_tokens(session, find_user(session, username).id)
    if as_json:
        dump_json(rows)
        return
    if not rows:
        click.echo(f"{username} belum punya token.")
    for t in rows:
        used = f"{t.last_used_at.astimezone(WITA):%Y-%m-%d %H.%M} WITA" if t.last_used_at else "-"
        state = "dicabut" if t.revoked else "aktif"
        click.echo(f"{t.id:>5}  {t.name:<30} {t.prefix}…  terakhir dipakai {used:<22} {state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@database_option
def tokens_revoke(token_id: int, settings: Settings) -> None:
    """Cabut token API nomor TOKEN_ID (lihat ``tokens list``); berlaku sejak permintaan berikutnya.

    \b
    Contoh:
      renaksi tokens revoke 12
    """
    from renaksi.auth.service import revoke_token

    with open_session(settings) as session:
        revoke_token(session, operator(session), token_id)
    click.echo(f"Token {token_id} dicabut.")


def generated_password() -> str:
    return secrets.token_urlsafe(12)
