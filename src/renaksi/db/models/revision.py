"""The data revision: one row whose token changes in every write transaction."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from renaksi.db.base import Base


class DataRevision(Base):
    """A random token replaced at the end of every write transaction (see ``db/revision.py``).

    Random rather than a counter, so a restored backup or a copied database can never meet a
    cache filled from different data under the same token.
    """

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(sa.BigInteger)
