"""Wire formats for accounts, login and tokens."""

from datetime import datetime
from typing import Annotated

import msgspec

from renaksi.codes import Role
from renaksi.schemas import Code

USERNAME_PATTERN = r"^[a-zA-Z0-9._-]+$"
Username = Annotated[str, msgspec.Meta(min_length=3, max_length=60, pattern=USERNAME_PATTERN)]
#: ``Username``'s rule in words, for messages: change the two together
USERNAME_RULE = "3–60 karakter, hanya huruf, angka, titik (.), garis bawah (_) dan tanda hubung (-)"
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class User(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: Role
    unit: str | None
    active: bool
    version: int


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    full_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    #: required for perencana: the unit they plan for
    unit: Code | None = None


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    full_name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET


class Login(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=60)]
    password: Password


class LoginResult(msgspec.Struct):
    user: User
    #: send back as ``X-CSRF-Token`` on every write made with the session cookie
    csrf_token: str


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class Token(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewToken(msgspec.Struct):
    token: Token
    #: shown once; only its hash is stored
    secret: str
