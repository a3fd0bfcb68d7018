"""Who is acting: carried from authentication into every service call and audit row."""

from dataclasses import dataclass

from renaksi.codes import Role


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    user_id: int | None = None
    #: the unit a perencana works for
    unit_id: int | None = None
    unit_code: str | None = None
    request_id: str | None = None
    #: how the request was authenticated: "session", "token", or "cli"
    via: str = "cli"

    @property
    def is_planner(self) -> bool:
        return self.role is Role.PERENCANA

    @classmethod
    def system(cls, name: str = "cli") -> "Actor":
        """The local operator (CLI, demo loader): full rights, audited under ``name``."""
        return cls(username=name, role=Role.ADMIN, via="cli")
