"""Runtime settings.

Every field can be set from a ``RENAKSI_<FIELD>`` environment variable. Nothing reads the
environment at import time: :func:`Settings.from_env` is called by the CLI, and tests build
``Settings`` directly.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///renaksi.db"


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "ya", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of one renaksi process."""

    #: SQLAlchemy URL. ``sqlite:///renaksi.db`` (a file in the working directory) by default;
    #: ``postgresql+psycopg://user@host/db`` for the multi-user deployment.
    database_url: str = DEFAULT_DATABASE_URL
    #: Address ``renaksi serve`` listens on.
    host: str = "127.0.0.1"
    #: Port ``renaksi serve`` listens on.
    port: int = 8000
    #: Development mode: Litestar debug pages are still never shown to users, but logs are chattier.
    debug: bool = False
    #: Where generated workbooks go when no path is given.
    exports_dir: Path = field(default_factory=lambda: Path("exports"))
    #: Largest accepted request body for JSON endpoints, in bytes.
    max_json_body: int = 1_000_000
    #: Echo SQL statements (debugging only).
    echo_sql: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Build settings from ``RENAKSI_*`` variables; explicit ``overrides`` win (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"RENAKSI_{f.name.upper()}")
            if raw is None:
                continue
            if f.type in (bool, "bool"):
                values[f.name] = _as_bool(raw)
            elif f.type in (int, "int"):
                values[f.name] = int(raw)
            elif f.type in (Path, "Path"):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
