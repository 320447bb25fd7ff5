"""Establishments (their type is data: CSSS, CISSS, CIUSSS, …) and the territory tree
(region → RLS → CLSC territory → municipality or neighbourhood)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, db


class Level(enum.Enum):
    region = "region"
    rls = "rls"
    clsc = "clsc"
    municipality = "municipality"
    neighbourhood = "neighbourhood"


LEVEL_LABELS = {
    Level.region: _l("Administrative region"),
    Level.rls: _l("Local services network (RLS)"),
    Level.clsc: _l("CLSC territory"),
    Level.municipality: _l("Municipality"),
    Level.neighbourhood: _l("Neighbourhood"),
}

# Which level may sit under which: a municipality or neighbourhood goes under a CLSC territory.
ALLOWED_PARENT = {
    Level.region: None,
    Level.rls: Level.region,
    Level.clsc: Level.rls,
    Level.municipality: Level.clsc,
    Level.neighbourhood: Level.clsc,
}


class TerritoryNode(Timestamps, db.Model):
    __tablename__ = "territory_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territory_nodes.id", ondelete="RESTRICT"),
                                                  index=True)

    parent: Mapped[TerritoryNode | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[TerritoryNode]] = relationship(back_populates="parent",
                                                         order_by="TerritoryNode.code")

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    def ancestors(self) -> list[TerritoryNode]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def __repr__(self) -> str:
        return f"<TerritoryNode {self.code}>"


establishment_territories = Table(
    "establishment_territories",
    db.metadata,
    Column("establishment_id", ForeignKey("establishments.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)


class Establishment(Timestamps, db.Model):
    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Type is data, never hard-coded: CSSS, CISSS, CIUSSS, or whatever the network calls it next.
    kind: Mapped[str] = mapped_column(String(40))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("territory_nodes.id", ondelete="RESTRICT"),
                                                  index=True)
    # Formed voluntarily by its members rather than by decree (the research setting has one).
    formed_voluntarily: Mapped[bool] = mapped_column(default=False)

    region: Mapped[TerritoryNode | None] = relationship()
    territories: Mapped[list[TerritoryNode]] = relationship(secondary=establishment_territories,
                                                            order_by="TerritoryNode.code")

    def __repr__(self) -> str:
        return f"<Establishment {self.name}>"


ESTABLISHMENT_KINDS = ("CSSS", "CISSS", "CIUSSS")
