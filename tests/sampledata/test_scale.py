"""The benchmark's scale dataset: what `consult bench seed` promises, at the small scale."""

import io
import re

import pypdf
from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.models import Brief, BriefAttachment, Comment, Support
from consult.rounds.models import ConsultationRound
from consult.sampledata.pdf import make_pdf
from consult.sampledata.scale import SCALES, seed
from consult.storage import get_storage


def test_the_small_dataset_has_the_promised_rows_and_runs_once(app):
    scale = SCALES["small"]
    counts = seed("small", report=lambda _line: None)
    db.session.commit()
    assert counts["comments"] == db.session.scalar(select(func.count(Comment.id))) == scale.comments
    assert db.session.scalar(select(func.count(Brief.id))) == scale.briefs
    assert db.session.scalar(select(func.count(Support.id))) == scale.supports
    round_ = db.session.scalar(select(ConsultationRound))
    assert round_.is_open()
    # One need carries the "many comments" load the benchmark reads.
    top = db.session.execute(select(Comment.item_uid, func.count()).group_by(Comment.item_uid)
                             .order_by(func.count().desc())).first()
    assert top[1] == scale.hot_need_comments
    # reply_count agrees with the replies actually there, and replies stay within their item.
    parent = db.aliased(Comment)
    mismatched = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.reply_count != select(func.count(parent.id)).where(parent.parent_id == Comment.id)
        .scalar_subquery()))
    assert mismatched == 0
    assert seed("small", report=lambda _line: None) == {}
    # A comment posted after the bulk insert gets a fresh id (PostgreSQL's sequence moved past the explicit ids).
    first = db.session.scalar(select(Comment).order_by(Comment.id).limit(1))
    db.session.add(Comment(round_id=first.round_id, version_id=first.version_id, item_uid=first.item_uid,
                           item_kind="need", body="Un commentaire de plus."))
    db.session.commit()
    assert db.session.scalar(select(func.count(Comment.id))) == scale.comments + 1


def test_generated_briefs_carry_readable_five_page_pdfs(app):
    seed("small", report=lambda _line: None)
    db.session.commit()
    attachment = db.session.scalar(select(BriefAttachment).limit(1))
    reader = pypdf.PdfReader(io.BytesIO(get_storage().read(attachment.storage_key)), strict=True)
    assert len(reader.pages) == 5
    assert "Mémoire de" in reader.pages[0].extract_text()


def test_the_pdf_writer_keeps_french_accents_and_parentheses():
    data = make_pdf(["Aînés isolés (Centre-Sud) : 42 %", "Deuxième page"], title="Mémoire")
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert [page.extract_text().strip() for page in reader.pages] == ["Aînés isolés (Centre-Sud) : 42 %",
                                                                      "Deuxième page"]
    assert reader.metadata.title == "Mémoire"


def test_the_dataset_holds_a_workspace_at_issue_3s_scale_and_prints_the_pages_to_load(app, client):
    """A second project: every step filled, linked and published, the needs portrait in two versions; the
    seed prints the pages a benchmark loads, `Workspace page: <name>: <path>`, and each opens with its
    pager, for a visitor or for the planner whose address the seed prints."""
    from consult.accounts.models import User
    from consult.projects.models import ClinicalProject, Gap, Need, Service, StepVersion
    from consult.sampledata.scale import PASSWORD

    lines: list[str] = []
    counts = seed("small", report=lines.append)
    db.session.commit()
    size = SCALES["small"].workspace
    assert counts["workspace needs"] == size.needs and counts["workspace services"] == size.services
    plan = db.session.scalar(select(ClinicalProject).order_by(ClinicalProject.id.desc()).limit(1))
    assert db.session.scalar(select(func.count(Service.id)).where(Service.project_id == plan.id)) == size.services
    assert db.session.scalar(select(func.count(Gap.id)).where(Gap.project_id == plan.id)) == size.gaps
    assert db.session.scalar(select(func.count(Need.id)).where(Need.project_id == plan.id)) > size.needs
    assert all(step.latest_version_id for step in plan.steps)
    assert db.session.get(StepVersion, plan.step(1).latest_version_id).number == 2
    # The round's project keeps issue 10's figures.
    assert db.session.scalar(select(func.count(Need.id)).where(Need.project_id != plan.id)) == SCALES["small"].needs

    email = next(re.search(r"sign-in: (\S+)$", line) for line in lines if "sign-in" in line).group(1)
    planner = db.session.scalar(select(User).where(User.email == email))
    pages = [re.fullmatch(r"Workspace page: (.+?): (/\S+)", line).groups() for line in lines
             if line.startswith("Workspace page: ")]
    names = [name for name, _path in pages]
    for wanted in ("project", "traceability", "coverage", "needs x resources grid", "roles matrix",
                   "version compare", "search isolement", "working copy services (planner)"):
        assert wanted in names
    assert sum(name.startswith("step ") for name in names) == 6
    signed_in = app.test_client()
    signed_in.login(planner, password=PASSWORD)
    for name, path in pages:
        response = (signed_in if name.endswith("(planner)") else client).get(path)
        assert response.status_code == 200, (name, path)
        if not name.startswith(("project", "coverage")):
            assert 'class="pager"' in response.text, (name, path)
