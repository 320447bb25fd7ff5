"""A need with thousands of comments shows its first page with a bounded number of SQL queries: first-level
comments page in SQL, authors come with them, reply counts are read, not counted."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, func, select, update

from consult.core.db import db, now_utc
from consult.participation.models import Comment


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _bulk_comments(c, authors, count: int) -> None:
    """`count` comments in a few bulk statements: nine in ten start a thread, the tenth replies to one."""
    now = now_utc()
    common = {"round_id": c.round.id, "version_id": c.needs_version.id, "item_uid": c.need_uid,
              "item_kind": "need", "reply_count": 0, "created_at": now, "updated_at": now}
    firsts = [n for n in range(count) if n % 10 != 9]
    db.session.execute(Comment.__table__.insert(), [
        {**common, "author_id": authors[n % len(authors)].id, "body": f"Commentaire {n}"} for n in firsts])
    db.session.execute(update(Comment).where(Comment.root_id.is_(None)).values(root_id=Comment.id))
    roots = list(db.session.scalars(select(Comment.id).where(Comment.parent_id.is_(None), Comment.reply_count == 0)
                                    .order_by(Comment.id).limit(count - len(firsts))))
    if roots:
        db.session.execute(Comment.__table__.insert(), [
            {**common, "parent_id": root, "root_id": root, "author_id": authors[0].id, "body": f"Réponse à {root}"}
            for root in roots])
        db.session.execute(update(Comment).where(Comment.id.in_(roots)).values(reply_count=1))
    db.session.commit()


def _item_page(client, c, page: int = 1):
    url = f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}?page={page}"
    with counting_queries() as statements:
        response = client.get(url)
    return response, statements


def test_the_first_page_of_a_large_thread_is_paginated_with_few_queries(client, consultation):
    c = consultation
    authors = [c.citizen, c.member, c.representative, c.other_representative, c.coalition_representative]
    _bulk_comments(c, authors[:2], 3)  # own and others' comments, as on the large page
    client.login(c.citizen)
    client.get("/lang/en")
    _small, small_statements = _item_page(client, c)

    _bulk_comments(c, authors, 2000)
    assert db.session.scalar(select(func.count(Comment.id))) == 2003
    response, statements = _item_page(client, c)
    assert response.status_code == 200
    assert response.text.count('class="card comment"') == 25
    first_level = db.session.scalar(select(func.count(Comment.id)).where(Comment.parent_id.is_(None)))
    assert f"Page 1 of {-(-first_level // 25)}" in response.text
    assert 'rel="next"' in response.text
    assert "Show 1 reply" in response.text
    # Bounded, and the same as for a thread of three: nothing is loaded per comment.
    assert len(statements) <= 15, statements
    assert len(statements) == len(small_statements)
    # No statement reads the whole thread: the comment rows are fetched with a LIMIT.
    comment_reads = [s for s in statements if re.search(r"FROM comments\b", s) and "count(" not in s.lower()]
    assert comment_reads and all("LIMIT" in s.upper() for s in comment_reads)

    last, _ = _item_page(client, c, -(-first_level // 25))
    assert last.status_code == 200 and 'rel="prev"' in last.text


def test_posting_into_a_large_thread_lands_on_the_last_page(client, consultation):
    c = consultation
    _bulk_comments(c, [c.citizen], 2000)
    client.login(c.member)
    url = f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}/comments"
    with counting_queries() as statements:
        posted = client.post(url, data={"body": "Un de plus."})
    assert posted.status_code == 302
    first_level = db.session.scalar(select(func.count(Comment.id)).where(Comment.parent_id.is_(None)))
    assert f"page={-(-first_level // 25)}#comment-" in posted.headers["Location"]
    assert len(statements) <= 15, statements
