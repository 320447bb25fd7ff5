"""Rules of the territory tree and of establishments. Services flush and raise TerritoryError with the
field to blame; the view turns it into a message next to that field and commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from consult.core.db import db
from consult.territories.models import ALLOWED_PARENT, LEVEL_LABELS, Establishment, Level, TerritoryNode
from consult.territories.queries import descendants, establishments_using


class TerritoryError(Exception):
    """A rule was broken. `field` names the form field to show the message next to (None: the form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Official-style codes: a region has the 2 digits of the MSSS, an RLS adds 2 to its region's, a CLSC
# territory adds 1 to its RLS's; a municipality has its 5-digit geographic code; a neighbourhood has
# no official code, so anything short and plain will do.
CODE_PATTERNS = {
    Level.region: re.compile(r"[0-9]{2}"),
    Level.rls: re.compile(r"[0-9]{4}"),
    Level.clsc: re.compile(r"[0-9]{5}"),
    Level.municipality: re.compile(r"[0-9]{5}"),
    Level.neighbourhood: re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}"),
}
# Levels whose code starts with their parent's code.
PREFIXED = {Level.rls, Level.clsc}
# What an establishment may be said to cover.
ESTABLISHMENT_LEVELS = (Level.rls, Level.clsc)


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def level_name(level: Level | None) -> str:
    return str(LEVEL_LABELS[level]) if level else ""


def code_problem(level: Level, code: str, parent: TerritoryNode | None) -> str | None:
    """What is wrong with `code` for a node of `level` under `parent`, saying the expected format."""
    well_formed = CODE_PATTERNS[level].fullmatch(code) is not None
    prefixed = level not in PREFIXED or parent is None or code.startswith(parent.code)
    if well_formed and prefixed:
        return None
    expected = _expected_code(level, parent)
    if not well_formed:
        return expected
    return _("The code must start with %(parent)s, the code of the parent territory. %(expected)s",
             parent=parent.code if parent else "", expected=expected)


def _expected_code(level: Level, parent: TerritoryNode | None) -> str:
    if level is Level.region:
        return _("An administrative region code has 2 digits, for example 06 (Montréal) or "
                 "02 (Saguenay–Lac-Saint-Jean).")
    if level is Level.rls:
        region = parent.code if parent is not None and parent.level is Level.region else "06"
        return _("An RLS code has 4 digits: the code of its region followed by 2 digits, for example "
                 "%(example)s.", example=region + "11")
    if level is Level.clsc:
        rls = parent.code if parent is not None and parent.level is Level.rls else "0611"
        return _("A CLSC territory code has 5 digits: the code of its RLS followed by 1 digit, for example "
                 "%(example)s.", example=rls + "1")
    if level is Level.municipality:
        return _("A municipality code is its 5-digit geographic code, for example 66023.")
    return _("A neighbourhood code has 1 to 20 letters without accents, digits or hyphens, for example "
             "06111-01.")


def placement_problem(level: Level, parent: TerritoryNode | None,
                      node: TerritoryNode | None = None) -> str | None:
    """Whether a node of `level` may sit under `parent` (and, for an existing node, not under itself)."""
    wanted = ALLOWED_PARENT[level]
    if wanted is None and parent is not None:
        return _('A territory of level "%(level)s" has no parent: leave the parent territory empty.',
                 level=level_name(level))
    if wanted is not None and parent is None:
        return _('Choose the parent territory: a territory of level "%(level)s" is placed under one of '
                 'level "%(parent)s".', level=level_name(level), parent=level_name(wanted))
    if node is not None and parent is not None and (parent.id == node.id or node in parent.ancestors()):
        return _("A territory cannot be placed under itself or under one of its own sub-territories.")
    if parent is not None and parent.level is not wanted:
        return _('A territory of level "%(level)s" is placed under one of level "%(parent)s", not under '
                 'one of level "%(chosen)s".', level=level_name(level), parent=level_name(wanted),
                 chosen=level_name(parent.level))
    return None


def _code_taken(code: str, except_ids: Iterable[int] = ()) -> TerritoryNode | None:
    stmt = select(TerritoryNode).where(TerritoryNode.code == code)
    ids = [i for i in except_ids if i is not None]
    if ids:
        stmt = stmt.where(TerritoryNode.id.not_in(ids))
    return db.session.scalar(stmt.limit(1))


def create_node(code: str, name: str, level: Level, parent: TerritoryNode | None) -> TerritoryNode:
    code = normalize_code(code)
    problem = placement_problem(level, parent)
    if problem:
        raise TerritoryError(problem, "parent_id")
    problem = code_problem(level, code, parent)
    if problem:
        raise TerritoryError(problem, "code")
    taken = _code_taken(code)
    if taken is not None:
        raise TerritoryError(_("The code %(code)s is already used by %(name)s.", code=code, name=taken.name),
                             "code")
    node = TerritoryNode(code=code, name=name.strip(), level=level, parent=parent)
    db.session.add(node)
    db.session.flush()
    return node


def update_node(node: TerritoryNode, code: str, name: str, level: Level, parent: TerritoryNode | None) -> int:
    """Change a node; when its code changes, the codes of its sub-territories that start with it follow.
    Returns how many sub-territory codes were changed that way."""
    code = normalize_code(code)
    problem = placement_problem(level, parent, node)
    if problem:
        raise TerritoryError(problem, "parent_id")
    problem = code_problem(level, code, parent)
    if problem:
        raise TerritoryError(problem, "code")
    if level is not node.level:
        misplaced = [c for c in node.children if ALLOWED_PARENT[c.level] is not level]
        if misplaced:
            raise TerritoryError(_('This territory has sub-territories of level "%(child)s", which cannot be '
                                   'placed under one of level "%(level)s". Move or delete them first.',
                                   child=level_name(misplaced[0].level), level=level_name(level)), "level")
        users = establishments_using(node)
        if users:
            raise TerritoryError(_("This territory is used by %(names)s; its level cannot change.",
                                   names=", ".join(e.name for e in users)), "level")
    renamed: list[tuple[TerritoryNode, str]] = []
    if code != node.code:
        taken = _code_taken(code, [node.id])
        if taken is not None:
            raise TerritoryError(_("The code %(code)s is already used by %(name)s.", code=code,
                                   name=taken.name), "code")
        # Sub-territory codes embed this one (0611 → 06111): they follow, or the tree would lie.
        renamed = [(d, code + d.code[len(node.code):]) for d in descendants(node)
                   if d.level in PREFIXED and d.code.startswith(node.code)]
        # The renamed ones free their old codes; every other node keeps its own, descendants included.
        freed = [node.id] + [d.id for d, _new in renamed]
        for sub, new_code in renamed:
            taken = _code_taken(new_code, freed)
            if taken is not None:
                raise TerritoryError(_("Changing this code would give the sub-territory %(old)s the code "
                                       "%(new)s, which %(name)s already uses.", old=sub.code, new=new_code,
                                       name=taken.name), "code")
    node.code = code
    node.name = name.strip()
    node.level = level
    node.parent = parent
    for sub, new_code in renamed:
        sub.code = new_code
    db.session.flush()
    return len(renamed)


def delete_node(node: TerritoryNode) -> None:
    count = len(node.children)
    if count:
        raise TerritoryError(ngettext(
            "This territory cannot be deleted because it has %(num)d sub-territory. Delete or move it first.",
            "This territory cannot be deleted because it has %(num)d sub-territories. Delete or move them "
            "first.", count))
    users = establishments_using(node)
    if users:
        raise TerritoryError(_("This territory cannot be deleted because it is used by %(names)s. Remove it "
                               "from those establishments first.", names=", ".join(e.name for e in users)))
    db.session.delete(node)
    db.session.flush()


def _name_taken(name: str, except_id: int | None) -> str | None:
    """The existing name equal to `name` ignoring case (done here: SQLite folds only ASCII)."""
    wanted = name.casefold()
    rows = db.session.execute(select(Establishment.id, Establishment.name))
    for ident, existing in rows:
        if ident != except_id and existing.casefold() == wanted:
            return existing
    return None


def save_establishment(establishment: Establishment | None, *, name: str, kind: str,
                       region: TerritoryNode | None, territories: list[TerritoryNode],
                       formed_voluntarily: bool) -> Establishment:
    """Create (establishment=None) or change an establishment."""
    name, kind = name.strip(), kind.strip()
    taken = _name_taken(name, establishment.id if establishment else None)
    if taken is not None:
        raise TerritoryError(_("An establishment named %(name)s already exists. Choose another name.",
                               name=taken), "name")
    if region is None or region.level is not Level.region:
        raise TerritoryError(_("Choose the administrative region of the establishment."), "region_id")
    for territory in territories:
        if territory.level not in ESTABLISHMENT_LEVELS:
            raise TerritoryError(_("%(code)s %(name)s is not an RLS or a CLSC territory.",
                                   code=territory.code, name=territory.name), "territory_ids")
        if region not in territory.ancestors():
            raise TerritoryError(_("%(code)s %(name)s is not in the region %(region)s. Choose territories of "
                                   "the establishment's region.", code=territory.code, name=territory.name,
                                   region=region.name), "territory_ids")
    if establishment is None:
        establishment = Establishment(name=name)
        db.session.add(establishment)
    establishment.name = name
    establishment.kind = kind
    establishment.region = region
    establishment.territories = sorted(territories, key=lambda t: t.code)
    establishment.formed_voluntarily = formed_voluntarily
    db.session.flush()
    return establishment


def find_nodes(ids: Iterable[int]) -> list[TerritoryNode]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(TerritoryNode).where(TerritoryNode.id.in_(ids))))


def node_by_code(code: str) -> TerritoryNode | None:
    return db.session.scalar(select(TerritoryNode).where(TerritoryNode.code == normalize_code(code)))


def establishment_by_name(name: str) -> Establishment | None:
    return db.session.scalar(select(Establishment).where(Establishment.name == name.strip()))
