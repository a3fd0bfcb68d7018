"""Settings an admin changes at run time, stored over the ``RENAKSI_*`` defaults."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from renaksi.db.base import Base, Timestamped


class AppSetting(Timestamped, Base):
    """One group of settings under a key (``sla``), its values a JSON object.

    Only the values an admin set are stored; a value left out falls back to the environment
    setting, so a deployment's defaults still count until someone overrides them.
    """

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
