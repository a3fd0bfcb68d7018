"""Accounts, login with throttling, browser sessions and API tokens."""

import hashlib
import logging
import secrets
import threading
from datetime import UTC, datetime, timedelta

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.audit.recorder import REHASH
from renaksi.auth import schemas
from renaksi.auth.actor import Actor
from renaksi.auth.passwords import hash_password, password_problem, verify_password
from renaksi.auth.policy import USER_ADMINS, require_role
from renaksi.codes import Role
from renaksi.db import revision
from renaksi.db.engine import WRITE_OPTION, write_transaction
from renaksi.db.models import ApiToken, LoginAttempt, Unit, User, UserSession
from renaksi.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    TooManyRequestsError,
    ValidationError,
)

SESSION_HOURS = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 30
TOKEN_PREFIX = "rks_"
#: how finely a token's last use is written down: enough to tell a token in use from one
#: forgotten, and at most one small write per token and process in that time
TOKEN_USE_STEP = timedelta(hours=1)

log = logging.getLogger(__name__)
_noted_uses: dict[str, datetime] = {}  # token digest → when this process last wrote its use
_noted_lock = threading.Lock()
WRONG_LOGIN = "Nama pengguna atau kata sandi salah."


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def to_schema(user: User, unit_code: str | None) -> schemas.User:
    return schemas.User(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        unit=unit_code,
        active=user.active,
        version=user.version,
    )


def _unit_code(session: Session, unit_id: int | None) -> str | None:
    return (
        None if unit_id is None else session.scalar(sa.select(Unit.code).where(Unit.id == unit_id))
    )


# --- accounts ---------------------------------------------------------------------------------


def create_user(session: Session, data: schemas.UserCreate, *, actor: Actor) -> schemas.User:
    require_role(actor.role, USER_ADMINS, "menambah pengguna")
    if problem := password_problem(data.password):
        raise ValidationError(
            "Kata sandi tidak memenuhi syarat.", [FieldError(field="password", message=problem)]
        )
    with write_transaction(session):
        username = data.username.lower()
        if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
            raise ConflictError(
                f"Pengguna '{username}' sudah ada.",
                [
                    FieldError(
                        field="username", value=username, message="nama pengguna sudah dipakai"
                    )
                ],
            )
        unit_id = None
        if data.role is Role.PERENCANA and data.unit is None:
            raise ValidationError(
                "Perencana harus terikat pada satu PD.",
                [FieldError(field="unit", message="wajib untuk perencana")],
            )
        if data.unit is not None:
            if data.role is not Role.PERENCANA:
                raise ValidationError(
                    "Hanya perencana yang terikat pada PD.",
                    [
                        FieldError(
                            field="unit", value=data.unit, message="kosongkan untuk peran ini"
                        )
                    ],
                )
            unit_id = session.scalar(sa.select(Unit.id).where(Unit.code == data.unit))
            if unit_id is None:
                raise ValidationError(
                    "Kode PD tidak dikenal.",
                    [FieldError(field="unit", value=data.unit, message="kode PD tidak dikenal")],
                )
        user = User(
            username=username,
            full_name=data.full_name.strip(),
            role=data.role,
            unit_id=unit_id,
            password_hash=hash_password(data.password),
            active=True,
        )
        session.add(user)
        session.flush()
        return to_schema(user, data.unit)


def list_users(session: Session) -> list[schemas.User]:
    rows = session.execute(
        sa.select(User, Unit.code).outerjoin(Unit, Unit.id == User.unit_id).order_by(User.username)
    ).all()
    return [to_schema(u, code) for u, code in rows]


def _get_user(session: Session, user_id: int) -> User:
    # read again even when loaded by an earlier transaction of this session (they are kept
    # after commit): update_user may just have waited for another writer's lock
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFoundError(f"Pengguna dengan id {user_id} tidak ditemukan.")
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalars(sa.select(User).where(User.username == username.lower())).one_or_none()
    if user is None:
        raise NotFoundError(f"Pengguna '{username}' tidak ditemukan.")
    return user


def _end_access(session: Session, user_id: int) -> None:
    """Revoke every session and token of a user (logout everywhere)."""
    now = _now()
    session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def update_user(
    session: Session,
    user_id: int,
    data: schemas.UserUpdate,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> schemas.User:
    require_role(actor.role, USER_ADMINS, "mengubah pengguna")
    with write_transaction(session):
        # locked before the user is read, and always first: see _lock_active_admins
        admins = _lock_active_admins(session) if data.active is False else []
        user = _get_user(session, user_id)
        check_version(user.version, expected_version)
        if data.full_name is not msgspec.UNSET:
            user.full_name = data.full_name.strip()
        if data.password is not msgspec.UNSET:
            if problem := password_problem(data.password):
                raise ValidationError(
                    "Kata sandi tidak memenuhi syarat.",
                    [FieldError(field="password", message=problem)],
                )
            user.password_hash = hash_password(data.password)
            _end_access(session, user.id)
        if data.active is not msgspec.UNSET and data.active != user.active:
            if not data.active and user.role is Role.ADMIN and set(admins) <= {user.id}:
                raise _last_admin(user)
            user.active = data.active
            if not data.active:
                _end_access(session, user.id)
        session.flush()
        return to_schema(user, _unit_code(session, user.unit_id))


def _lock_active_admins(session: Session) -> list[int]:
    """The ids of the active admins, their rows locked until the write transaction ends.

    Counting them without the lock lets two admins disable each other at the same moment on
    PostgreSQL (READ COMMITTED): each sees the other still active, both commit, and nobody is
    left to manage accounts. Locked, the second waits for the first's commit, then no longer
    finds that admin active. Always taken first and in id order, so two such writes cannot
    deadlock. (SQLite admits one writer at ``BEGIN IMMEDIATE``; ``FOR UPDATE`` is left out.)
    """
    return list(
        session.scalars(
            sa.select(User.id)
            .where(User.role == Role.ADMIN, User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    )


def _last_admin(user: User) -> ConflictError:
    """Refusal of a change that would leave no active admin: nobody could manage accounts
    any more, or enable anyone again, except with the CLI on the server."""
    return ConflictError(
        f"Pengguna '{user.username}' adalah admin aktif terakhir; tanpa admin aktif tidak ada "
        "yang dapat mengelola pengguna. Tambahkan atau aktifkan admin lain lebih dulu.",
        [
            FieldError(
                field="active", value="false", message="harus tetap ada minimal satu admin aktif"
            )
        ],
    )


def set_active(session: Session, username: str, active: bool, *, actor: Actor) -> schemas.User:
    require_role(actor.role, USER_ADMINS, "mengaktifkan atau menonaktifkan pengguna")
    user = find_user(session, username)
    session.rollback()
    return update_user(session, user.id, schemas.UserUpdate(active=active), actor=actor)


def set_password(session: Session, username: str, password: str, *, actor: Actor) -> schemas.User:
    require_role(actor.role, USER_ADMINS, "mengganti kata sandi pengguna")
    user = find_user(session, username)
    session.rollback()
    return update_user(session, user.id, schemas.UserUpdate(password=password), actor=actor)


#: ``expected_version`` given by HTTP callers that sent no If-Match (versions start at 1)
IF_MATCH_MISSING = 0


def check_version(current: int, expected: int | None) -> None:
    """Optimistic locking. ``None``: no check (CLI, imports); otherwise the version the
    caller last read must still be the current one."""
    if expected == IF_MATCH_MISSING:
        raise PreconditionRequiredError(
            "Versi data yang terakhir Anda baca tidak disertakan (header If-Match, atau isian "
            "versi pada formulir); muat ulang lalu ulangi, agar perubahan orang lain tidak "
            "tertimpa.",
            [FieldError(field="If-Match", message="header wajib untuk perubahan")],
        )
    if expected is not None and expected != current:
        raise PreconditionFailedError(
            f"Data sudah diubah orang lain (versi sekarang {current}); muat ulang lalu ulangi.",
            [
                FieldError(
                    field="If-Match", value=str(expected), message=f"versi sekarang {current}"
                )
            ],
            current_version=current,
        )


# --- login, sessions, tokens -------------------------------------------------------------------


#: key of the PostgreSQL advisory lock that serialises the throttle check of every login
#: (counting and recording an attempt is a few milliseconds; the password check is not held)
_LOGIN_LOCK_KEY = 0x72656E616B7369  # "renaksi"


def _claim_attempt(session: Session, username: str, client: str) -> None:
    """Count the recent attempts and record this one, committed, *before* the password is
    checked: parallel guesses each see the ones before them, so no more than the limit are
    ever verified. Refused (429) once the username or the client address has too many."""
    username, client = username[:60], client[:64]  # as the login_attempt columns hold them
    with write_transaction(session):
        if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOGIN_LOCK_KEY)))
        since = _now() - THROTTLE_WINDOW
        failures_user = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.username == username, LoginAttempt.at >= since)
            )
            or 0
        )
        failures_client = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.client == client, LoginAttempt.at >= since)
            )
            or 0
        )
        if failures_user >= MAX_FAILURES_PER_USER or failures_client >= MAX_FAILURES_PER_CLIENT:
            raise TooManyRequestsError(
                "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit."
            )
        session.add(LoginAttempt(username=username, client=client))


def login(
    session: Session, data: schemas.Login, *, client: str, previous: str | None = None
) -> tuple[str, schemas.LoginResult]:
    """Check the password; on success a NEW session (never one the browser brought along).

    Returns ``(session_token, result)``. Unknown user and wrong password look the same.
    Too many failures for a username or a client address → 429 for a while. ``previous`` is
    the session cookie the browser presented: it is revoked in the same transaction that
    creates the new session, so the old id is unusable from then on.

    The attempt is recorded before the (slow, on purpose) argon2 check, and the check runs
    outside any write transaction, so a flood of logins neither slips past the limit nor
    holds SQLite's single write lock.
    """
    username = data.username.strip().lower()
    _claim_attempt(session, username, client)
    found = session.execute(
        sa.select(User.id, User.password_hash, User.active).where(User.username == username)
    ).one_or_none()
    session.rollback()  # end the read before the slow check
    checked_hash = found.password_hash if found else None
    valid, rehash = verify_password(checked_hash, data.password)
    if found is None or not valid or not found.active:
        raise NotAuthenticatedError(WRONG_LOGIN)
    with write_transaction(session):
        user = session.get(User, found.id, populate_existing=True)
        # disabled, or the password changed, while the password was being checked
        if user is None or not user.active or user.password_hash != checked_hash:
            raise NotAuthenticatedError(WRONG_LOGIN)
        if rehash:  # same password, stronger hash: the audit row says so, not "diubah"
            session.info[REHASH] = True
            try:
                user.password_hash = hash_password(data.password)
                session.flush()
            finally:
                session.info.pop(REHASH, None)
        session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username[:60]))
        if previous:
            _revoke_session(session, previous)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        session.add(
            UserSession(
                id=_digest(token),
                user_id=user.id,
                csrf_token=csrf,
                expires_at=_now() + timedelta(hours=SESSION_HOURS),
            )
        )
        session.flush()
        result = schemas.LoginResult(
            user=to_schema(user, _unit_code(session, user.unit_id)), csrf_token=csrf
        )
    return token, result


def _revoke_session(session: Session, session_token: str) -> None:
    """End the session with this cookie value (a session already ended keeps its time)."""
    session.execute(
        sa.update(UserSession)
        .where(UserSession.id == _digest(session_token), UserSession.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


def logout(session: Session, session_token: str | None) -> None:
    if not session_token:
        return
    with write_transaction(session):
        _revoke_session(session, session_token)


def _actor(user: User, unit_code: str | None, via: str) -> Actor:
    return Actor(
        username=user.username,
        role=user.role,
        user_id=user.id,
        unit_id=user.unit_id,
        unit_code=unit_code,
        via=via,
    )


def actor_from_session(session: Session, token: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, or None."""
    row = session.execute(
        sa.select(User, UserSession.csrf_token, Unit.code)
        .join(UserSession, UserSession.user_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            UserSession.id == _digest(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > _now(),
            User.active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    user, csrf, unit_code = row
    return _actor(user, unit_code, "session"), csrf


def actor_from_token(session: Session, secret: str) -> Actor | None:
    """The user behind a live API token, or None.

    Kept in the data-revision cache (scripts send the same token thousands of times):
    revoking the token, disabling the user or changing their role is a write, so it is
    seen at the next request. Unknown tokens are not kept.
    """
    digest = _digest(secret)
    actor: Actor | None = revision.cached(
        session,
        ("api-token", digest),
        lambda: _actor_for_token(session, digest),
        keep=lambda actor: actor is not None,
    )
    if actor is not None:
        _note_use(session, digest)
    return actor


def _note_use(session: Session, digest: str) -> None:
    """Write down when the token was last used, to the hour (``TOKEN_USE_STEP``).

    Its own short transaction on its own connection, outside the caller's: a use is not a
    change of data, so it is not audited and leaves the data revision (and every cached
    answer) alone. A failed write is logged and forgotten; the request goes on.
    """
    now = _now()
    with _noted_lock:
        last = _noted_uses.get(digest)
        if last is not None and now - last < TOKEN_USE_STEP:
            return
        _noted_uses[digest] = now
    try:
        with session.get_bind().engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                conn.execute(
                    sa.update(ApiToken)
                    .where(
                        ApiToken.token_hash == digest,
                        sa.or_(
                            ApiToken.last_used_at.is_(None),
                            ApiToken.last_used_at <= now - TOKEN_USE_STEP,
                        ),
                    )
                    .values(last_used_at=now)
                )
    except sa.exc.SQLAlchemyError:
        log.warning("could not note the use of API token %s…", digest[:8], exc_info=True)


def _actor_for_token(session: Session, digest: str) -> Actor | None:
    row = session.execute(
        sa.select(User, Unit.code)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            ApiToken.token_hash == digest,
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    user, unit_code = row
    return _actor(user, unit_code, "token")


def create_token(session: Session, user_id: int, name: str) -> schemas.NewToken:
    with write_transaction(session):
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user_id, name=name.strip(), token_hash=_digest(secret), prefix=secret[:10]
        )
        session.add(token)
        session.flush()
        return schemas.NewToken(token=_token_schema(token), secret=secret)


def _token_schema(token: ApiToken) -> schemas.Token:
    return schemas.Token(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked=token.revoked_at is not None,
    )


def list_tokens(session: Session, user_id: int) -> list[schemas.Token]:
    tokens = session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    )
    return [_token_schema(t) for t in tokens]


def revoke_token(session: Session, actor: Actor, token_id: int) -> None:
    with write_transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or (token.user_id != actor.user_id and actor.role is not Role.ADMIN):
            raise NotFoundError(f"Token dengan id {token_id} tidak ditemukan.")
        if token.revoked_at is None:
            token.revoked_at = _now()


def require_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise ForbiddenError("Hanya untuk pengguna yang masuk.")
    return actor.user_id
