"""argon2id password hashing (argon2-cffi), with rehash when the parameters change."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
#: a real hash of a random password, verified when the user does not exist, so an unknown
#: user costs the same time as a wrong password
_DUMMY = _HASHER.hash("renaksi-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> tuple[bool, bool]:
    """``(valid, needs_rehash)``. ``stored`` None runs a dummy check (same timing)."""
    try:
        _HASHER.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False, False
    if stored is None:
        return False, False
    return True, _HASHER.check_needs_rehash(stored)


MIN_LENGTH = 10


def password_problem(password: str) -> str | None:
    """Why a new password is refused (ASVS: length over composition rules), or None."""
    if len(password) < MIN_LENGTH:
        return f"kata sandi minimal {MIN_LENGTH} karakter"
    if len(password) > 128:
        return "kata sandi maksimal 128 karakter"
    return None
