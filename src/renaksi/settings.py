"""Runtime settings.

Every field can be set from a ``RENAKSI_<FIELD>`` environment variable. Nothing reads the
environment at import time: :func:`Settings.from_env` is called by the CLI, and tests build
``Settings`` directly.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import get_args, get_type_hints

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
    #: Largest accepted upload (LAPOR! export, plan workbook), in bytes.
    max_upload_bytes: int = 200_000_000
    #: SLA: verification + disposition after submission, in working days.
    sla_verify_workdays: int = 3
    #: SLA: first follow-up by the unit after disposition, in working days.
    sla_response_workdays: int = 5
    #: SLA: auto-close after follow-up when the reporter is silent, in calendar days.
    sla_autoclose_days: int = 10
    #: SLA: completion after submission, in calendar days.
    sla_complete_days: int = 60
    #: Optional CSV ``label,status`` adding LAPOR! status labels to the default table.
    status_labels_file: Path | None = None
    #: Region named in report titles and on the kabupaten total rows.
    report_region: str = "Kabupaten Kutai Timur"
    #: Place written before the date in the report signature block ("Sangatta, 31 Desember 2024").
    report_place: str = "Sangatta"
    #: Name of the official signing the quarterly report — a placeholder until configured.
    report_signer_name: str = "[NAMA PEJABAT PENANDATANGAN]"
    #: Title (jabatan) of the signing official — a placeholder until configured.
    report_signer_title: str = "[JABATAN PEJABAT PENANDATANGAN]"
    #: NIP of the signing official, kept as text (18 digits) — a placeholder until configured.
    report_signer_nip: str = "[NIP PEJABAT]"
    #: Development mode (plain-HTTP demo, tests): session cookies without ``Secure``.
    #: Never set this on a server reached over a network.
    development: bool = False
    #: Host names the server answers to (comma-separated, any port; ``*`` for all); others
    #: get 400.
    allowed_hosts: str = "localhost,127.0.0.1,[::1],testserver,testserver.local"
    #: Serve the OpenAPI UI at /schema (switch off in production if wanted).
    openapi_ui: bool = True
    #: Seconds a cached flag/KPI/list result may live. Any write through renaksi invalidates
    #: it at once, in every process; the limit only bounds how long a change made by hand in
    #: the database goes unseen. 0 switches caching off.
    cache_seconds: int = 300

    @property
    def insecure_cookies(self) -> bool:
        return self.development

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Build settings from ``RENAKSI_*`` variables; explicit ``overrides`` win (CLI flags)."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"RENAKSI_{f.name.upper()}")
            if raw is None:
                continue
            kinds = set(get_args(hints[f.name])) or {hints[f.name]}
            if bool in kinds:
                values[f.name] = _as_bool(raw)
            elif int in kinds:
                values[f.name] = int(raw)
            elif Path in kinds:
                values[f.name] = Path(raw) if raw else None
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
