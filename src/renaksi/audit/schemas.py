"""Wire format of history rows."""

from datetime import datetime
from typing import Any

import msgspec


class AuditEntry(msgspec.Struct):
    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    request_id: str | None
