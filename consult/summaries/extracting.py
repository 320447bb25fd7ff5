"""Reading a round's attachments once, shared by several workers.

Each distinct file (by the SHA-256 of its bytes) has one AttachmentText row: "pending" until read, then its
status and passages. Workers claim pending rows a few at a time with conditional UPDATEs, so the
compilation's own worker and the helper tasks it sends to the extraction queue split the files between
them; a claim older than the extraction time limit (its worker died) is taken over. A hostile file only
ever gets a status: the parser runs in a sandboxed child with time and memory limits (extraction.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from consult.core.db import db, insert_ignoring_duplicates, now_utc
from consult.storage import NotFound, StorageError, get_storage
from consult.summaries.extraction import Extraction, Extractor, message_for
from consult.summaries.models import AttachmentText

log = logging.getLogger("consult.summaries")

BATCH = 4
# Per file: the sandbox's memory limit and the most pages read (its time limit: CONSULT_EXTRACTION_TIMEOUT).
MEMORY_MB = 512
MAX_PAGES = 500


def timeout_s() -> float:
    return float(current_app.config["CONSULT_EXTRACTION_TIMEOUT"])


def register(files: Iterable[tuple[str, str]]) -> int:
    """Make sure every (storage_key, media_type) has a row; returns how many are still pending."""
    wanted = dict(files)
    if not wanted:
        return 0
    known: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        known.update(db.session.scalars(select(AttachmentText.storage_key)
                                        .where(AttachmentText.storage_key.in_(keys[start:start + 500]))))
    # Another worker may register the same file at the same moment: the first row stands.
    insert_ignoring_duplicates(AttachmentText, [
        {"storage_key": key, "media_type": wanted[key], "status": "pending", "passages": []}
        for key in keys if key not in known])
    db.session.commit()
    return pending_count(keys)


def pending_count(keys: list[str]) -> int:
    count = 0
    for start in range(0, len(keys), 500):
        count += db.session.scalar(select(func.count()).select_from(AttachmentText).where(
            AttachmentText.storage_key.in_(keys[start:start + 500]), AttachmentText.status == "pending"))
    return count


def _stale() -> timedelta:
    """A claim is renewed after each file read, so a live worker's claim is never older than one file's time
    limit; twice that (and a margin) means its worker died."""
    return timedelta(seconds=2 * timeout_s() + 5)


def claim(keys: list[str] | None, worker: str) -> list[str]:
    """Claim up to BATCH pending files (of `keys`, or of any round when None) for `worker`. Commits."""
    now = now_utc()
    free = (AttachmentText.status == "pending") & (
        AttachmentText.claimed_at.is_(None) | (AttachmentText.claimed_at < now - _stale()))
    query = select(AttachmentText.storage_key).where(free)
    if keys is not None:
        query = query.where(AttachmentText.storage_key.in_(keys))
    candidates = db.session.scalars(query.order_by(AttachmentText.storage_key).limit(BATCH * 2)).all()
    mine = []
    for key in candidates:
        taken = db.session.execute(update(AttachmentText).where(AttachmentText.storage_key == key, free)
                                   .values(claimed_by=worker, claimed_at=now)
                                   .execution_options(synchronize_session=False)).rowcount == 1
        if taken:
            mine.append(key)
        if len(mine) == BATCH:
            break
    db.session.commit()
    return mine


def save(key: str, worker: str, result: Extraction, *, renew: list[str] = ()) -> None:
    """Store a file's text, unless another worker took the claim over meanwhile (then its result stands), and
    renew this worker's claims on the rest of its batch (`renew`)."""
    values = result.values
    db.session.execute(
        update(AttachmentText)
        .where(AttachmentText.storage_key == key, AttachmentText.claimed_by == worker,
               AttachmentText.status == "pending")
        .values(status=result.status, pages=result.pages,
                passages=[[p.page, p.paragraph, p.text] for p in result.passages],
                detail=result.detail[:2000] or None, reason=str(values.get("reason") or "") or None,
                limit=int(values.get("limit") or 0), extracted_at=now_utc())
        .execution_options(synchronize_session=False))
    if renew:
        db.session.execute(update(AttachmentText)
                           .where(AttachmentText.storage_key.in_(renew), AttachmentText.claimed_by == worker,
                                  AttachmentText.status == "pending")
                           .values(claimed_at=now_utc()).execution_options(synchronize_session=False))
    db.session.commit()


def run(keys: list[str] | None, worker: str, *, on_file: Callable[[], None] | None = None) -> int:
    """Read pending files until none is left to claim; returns how many this worker read."""
    storage = get_storage()
    media = {}
    read = 0
    with Extractor(memory_mb=MEMORY_MB) as extractor:
        while True:
            batch = claim(keys, worker)
            if not batch:
                return read
            media.update(db.session.execute(select(AttachmentText.storage_key, AttachmentText.media_type)
                                            .where(AttachmentText.storage_key.in_(batch))).tuples().all())
            for key in batch:
                try:
                    data = storage.read(key)
                except NotFound:
                    result = _missing(key)
                except StorageError:
                    log.warning("attachment %s unreachable in storage; left for a later attempt", key)
                    continue
                else:
                    result = extractor.extract(data, media[key], timeout_s=timeout_s(), max_pages=MAX_PAGES)
                save(key, worker, result, renew=batch)
                read += 1
                if on_file is not None:
                    on_file()


def _missing(key: str) -> Extraction:
    return Extraction(status="unreadable", message=message_for("unreadable"), detail=f"no file under {key} in storage")


def wait(keys: list[str], *, beat: Callable[[int], None], poll_s: float = 0.5) -> None:
    """Until every file of `keys` is read: read the ones left to claim, wait for the ones claimed by other
    workers (taking them over if their claim goes stale). `beat(pending)` reports progress and may raise."""
    from consult.summaries.jobs import worker_name

    worker = worker_name()
    while True:
        run(keys, worker, on_file=lambda: beat(pending_count(keys)))
        left = pending_count(keys)
        beat(left)
        if left == 0:
            return
        time.sleep(poll_s)
