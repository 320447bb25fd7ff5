"""Journeys through a consultation round on the demo data: a citizen comments, supports and proposes a need;
an organization submits a brief with a PDF, co-signed by a coalition; a visitor reads the published results
of the closed demo round; a moderator hides a reported comment with a public reason (journey 4); then the open
round closes on time and the planner answers every input. The helpers here are shared with the other files.

The journeys share one live server: the last one closes the open demo round, so it stays last in the file
(pytest runs a file's tests in order). Each journey finds what it needs by itself and may run alone.
Elements are chosen by stable attributes; text is asserted on demo data or in both languages.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import SECRET
from tests.fixtures.services import ROOT, wait_until

CITOYEN = "citoyen@demo.consult.ca"
REPRESENTATIVE = "representant@demo.consult.ca"
COALITION = "coalition@demo.consult.ca"
PLANNER = "planif@demo.consult.ca"
MEMBER = "membre@demo.consult.ca"
MODERATOR = "moderation@demo.consult.ca"
CDC = "Corporation de développement communautaire du Centre-Est"
CARREFOUR = "Carrefour des aînés du Centre-Sud"
OPEN_ROUND = "Portrait des besoins"
CLOSED_ROUND = "Première consultation sur les besoins des aînés du Centre-Est"
DEMO_BRIEF = "Briser l'isolement des aînés du Centre-Sud"
ISOLATION = "Isolement social des aînés vivant seuls"
HOUSING = "Logement abordable et adapté"

ITEM_LINKS = "main section[aria-labelledby=items-title] a[href*='/items/']"


def _token() -> str:
    """A short marker that makes this run's text easy to find among the demo data."""
    return uuid.uuid4().hex[:8]


def _path(journey) -> str:
    return journey.page.url.replace(journey.base, "").split("#")[0]


def _open_round(journey, title: str = OPEN_ROUND) -> int:
    """From the public list of rounds to the round whose title starts with `title`; returns its id."""
    page = journey.page
    journey.visit("/rounds")
    journey.follow(page.locator("main a[href^='/rounds/']").filter(has_text=title).first)
    expect(page.locator("h1")).to_contain_text(title)
    return int(re.search(r"/rounds/(\d+)", page.url).group(1))


def _open_item(journey, round_id: int, title: str) -> str:
    """The item of the round whose label holds `title`, from the round page; returns its path."""
    page = journey.page
    journey.visit(f"/rounds/{round_id}")
    journey.follow(page.locator(ITEM_LINKS).filter(has_text=title).first)
    expect(page.locator("h1")).to_contain_text(title)
    return _path(journey)


def _post_comment(journey, text: str) -> int:
    """Publish a comment from the item page just opened; returns its id, read from the page it lands on."""
    page = journey.page
    page.locator("#new-comment textarea[name=body]").fill(text)
    journey.follow(page.locator("#new-comment button[type=submit]"))
    found = re.search(r"#comment-(\d+)$", page.url)
    assert found, f"a published comment lands on its anchor, not on {page.url}"
    comment_id = int(found.group(1))
    expect(page.locator(f"#comment-{comment_id}")).to_contain_text(text)
    return comment_id


def _support(journey) -> str:
    """Support the item whose page is open; returns the count line as it read before."""
    page = journey.page
    before = page.locator("#support p").first.inner_text()
    journey.follow(page.locator("#support form[action$='/support'] button[type=submit]"))
    expect(page.locator("#support form[action$='/unsupport']")).to_be_visible()
    expect(page.locator("#support p").first).not_to_have_text(before)
    return before


def _reply(journey, comment_id: int, text: str) -> int:
    """Reply to a comment of the item page just opened; lands on the thread's replies, returns the reply's id."""
    page = journey.page
    thread = page.locator(f"#comment-{comment_id}")
    thread.locator("details summary").click()
    thread.locator("textarea").fill(text)
    journey.follow(thread.locator(f"form[action$='/comments/{comment_id}/reply'] button[type=submit]"))
    found = re.search(r"/comments/(\d+)/replies.*#comment-(\d+)$", page.url)
    assert found and int(found.group(1)) == comment_id, page.url
    expect(page.locator(f"#comment-{found.group(2)}")).to_contain_text(text)
    return int(found.group(2))


def _propose_need(journey, round_id: int, title: str, description: str) -> None:
    """Point out a missing need from the round page; it has its own page and is listed with the others."""
    page = journey.page
    journey.visit(f"/rounds/{round_id}")
    journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/proposed-needs/new']").first)
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=description]").fill(description)
    area = page.locator("select[name=area_id]")
    options = area.locator("option").evaluate_all("(os) => os.map((o) => o.value).filter(Boolean)")
    if options:
        area.select_option(options[0])
    journey.follow(page.locator("main form:has(textarea[name=description]) button[type=submit]"))
    assert re.search(r"/proposed-needs/\d+$", _path(journey)), page.url
    expect(page.locator("h1")).to_contain_text(title)
    journey.visit(f"/rounds/{round_id}/proposed-needs")
    expect(page.locator("main article").filter(has_text=title)).to_have_count(1)


def _messages(live_server) -> list[email.message.EmailMessage]:
    return [email.message_from_string(raw, policy=email.policy.default) for raw in live_server.outbox()]


def _body(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


# -------------------------------------------------------------------------------------------------------


def test_citizen_comments_supports_and_proposes_a_need(journey):
    page = journey.page
    token = _token()
    with journey.step("the citizen signs in and opens the open round"):
        journey.sign_in(CITOYEN)
        round_id = _open_round(journey)
    with journey.step("the banner says the participation level and the budgets"):
        banner = page.locator("main .round-banner")
        expect(banner).to_be_visible()
        expect(banner.locator("dl.facts")).to_contain_text(re.compile("Consultation", re.I))
        expect(banner.locator("dl.facts")).to_contain_text("Budgets")
    with journey.step("a need of the needs portrait"):
        item_path = _open_item(journey, round_id, HOUSING)
        expect(page.locator("main .round-line")).to_contain_text(OPEN_ROUND)
    with journey.step("a comment, shown on the page it lands on"):
        text = f"Dans notre rue, trois aînés ont dû déménager après une rénovation ({token})."
        comment_id = _post_comment(journey, text)
        expect(page.locator(f"#comment-{comment_id}")).to_contain_text("Réjean Simard")
    with journey.step("support the need, then take the support back"):
        before = _support(journey)
        journey.follow(page.locator("#support form[action$='/unsupport'] button[type=submit]"))
        expect(page.locator("#support form[action$='/support']")).to_be_visible()
        expect(page.locator("#support p").first).to_have_text(before)
    with journey.step("reply to the comment"):
        journey.visit(item_path)
        _reply(journey, comment_id, f"Et les loyers des logements rénovés doublent ({token}).")
        expect(page.locator(f"#comment-{comment_id}")).to_contain_text(text)
    with journey.step("propose a missing need from the round page, listed with the proposed needs"):
        _propose_need(journey, round_id, f"Entretien ménager lourd pour les aînés {token}",
                      "Le grand ménage du printemps n'est couvert par aucun service, et les aînés y renoncent.")


def test_organization_submits_a_cosigned_brief_with_a_pdf(journey, live_server, tmp_path):
    from consult.sampledata.pdf import make_pdf

    page = journey.page
    token = _token()
    title = f"Pour des proches aidants reconnus ({token})"
    pdf = tmp_path / "memoire-proches-aidants.pdf"
    pdf.write_bytes(make_pdf(["Mémoire du Carrefour des aînés du Centre-Sud.\nLes proches aidants d'abord."],
                             title=title))
    with journey.step("the representative starts a brief on the open round"):
        journey.sign_in(REPRESENTATIVE)
        round_id = _open_round(journey)
        journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/briefs/new']"))
        page.locator("input[name=title]").fill(title)
        journey.follow(page.locator("form[action*='/briefs/new'] button[type=submit]"))
        found = re.search(r"/briefs/(\d+)", page.url)
        assert found, page.url
        brief_id = int(found.group(1))
        brief_path = f"/briefs/{brief_id}"
        expect(page.locator("h1")).to_contain_text(title)
    with journey.step("title, summary, body and visibility"):
        page.locator("#edit textarea[name=summary]").fill(
            "Le Carrefour demande que le portrait nomme l'épuisement des proches aidants âgés.")
        page.locator("#edit textarea[name=body]").fill(
            "## Ce que nous voyons\n\nDes proches aidants de plus de 75 ans, seuls, épuisés.\n\n"
            "## Ce que nous demandons\n\n- Un besoin distinct dans le portrait.\n")
        page.locator("#edit input[name=visibility][value=public]").check()
        journey.follow(page.locator("#edit form button[type=submit]"))
        expect(page.locator("#edit textarea[name=summary]")).to_have_value(re.compile("épuisement"))
    with journey.step("a PDF attached"):
        page.locator("#attachments input[type=file]").set_input_files(str(pdf))
        journey.follow(page.locator(f"form[action$='{brief_path}/attachments'] button[type=submit]"))
        expect(page.locator("#attachments a[href*='/attachments/']")).to_have_text(pdf.name)
    with journey.step("a position on a need"):
        option = page.locator("select[name=item] option").filter(has_text=ISOLATION).first
        page.locator("select[name=item]").select_option(option.get_attribute("value"))
        page.locator("input[name=stance][value=support]").check()
        page.locator("textarea[name=text]").fill("Nous appuyons la priorité donnée à l'isolement.")
        journey.follow(page.locator(f"form[action$='{brief_path}/positions'] button[type=submit]"))
        expect(page.locator("#positions ul.items")).to_contain_text(ISOLATION)
    with journey.step("the co-signature of the CDC is asked"):
        ask = page.locator("#cosigners li").filter(has_text=CDC).locator(
            "form[action$='/cosigners'] button[type=submit]")
        if not ask.count():  # not among the suggestions: found through the registry search
            page.locator("#cosigners input[name=find]").fill("Corporation de développement")
            journey.follow(page.locator("#cosigners form[role=search] button[type=submit]"))
            ask = page.locator("#cosigners li").filter(has_text=CDC).locator(
                "form[action$='/cosigners'] button[type=submit]")
        journey.follow(ask.first)
        expect(page.locator("#cosigners table")).to_contain_text(CDC)
        expect(page.locator("main dl.facts dd").first).not_to_contain_text(CDC)
    with journey.step("submitted, with a receipt and its digest by e-mail"):
        journey.follow(page.locator(f"form[action$='{brief_path}/submit'] button[type=submit]"))
        digest = page.locator("main dl.facts code").inner_text().strip()
        assert re.fullmatch(r"[0-9a-f]{64}", digest), digest

        def receipt():
            return next((m for m in _messages(live_server)
                         if REPRESENTATIVE in str(m["To"]) and digest in _body(m)), None)

        message = wait_until(receipt, timeout=30, what="the brief's receipt in the outbox")
        assert title in _body(message)
        assert pdf.name in _body(message)
    with journey.step("the coalition's representative confirms the co-signature"):
        journey.sign_out()
        journey.sign_in(COALITION)
        journey.visit(brief_path)
        expect(page.locator("h1")).to_contain_text(title)
        journey.follow(page.locator(
            "form[action$='/cosign']:has(input[name=answer][value=confirm]) button[type=submit]"))
    with journey.step("the brief shows the CDC as signatory"):
        signed_by = page.locator("main dl.facts dd").first
        expect(signed_by).to_contain_text(CARREFOUR)
        expect(signed_by).to_contain_text(CDC)


def test_visitor_reads_the_published_results_of_the_demo_round(journey):
    page = journey.page
    with journey.step("the closed demo round"):
        round_id = _open_round(journey, CLOSED_ROUND)
        expect(page.locator("main .round-banner")).to_be_visible()
    with journey.step("what we heard, what we did"):
        journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/heard']"))
        main = page.locator("main")
        expect(main).to_contain_text(CLOSED_ROUND)
        expect(main).to_contain_text("liste d'attente des visites d'amitié")  # an answer's reason
        expect(main).to_contain_text("pension de vieillesse")  # the input still unanswered
        totals = page.locator("main table tfoot td")
        expect(totals.last).to_have_text("1")  # one input of the demo is not answered
        # The share still unanswered, in a sentence (English until the French catalog has it).
        expect(main).to_contain_text(re.compile(r"\b1 (\w+ )?(of|sur) \d+ .*\(\d+\s?%\)"))
        heard_path = _path(journey)
    with journey.step("an answered comment thread, with its replies"):
        thread = page.locator("main ol.items > li").filter(has_text="ne sortent plus de l'hiver")
        journey.follow(thread.locator("a[href*='#comment-']"))
        answered = page.locator("main article.comment").filter(has=page.locator(".notice")).first
        expect(answered).to_be_visible()
        journey.follow(answered.locator("a[href*='/replies']"))
        expect(page.locator("main article.comment")).not_to_have_count(0)
        expect(page.locator("main textarea")).to_have_count(0)  # closed: nobody replies any more
        journey.visit(heard_path)
    with journey.step("the public brief and its PDF"):
        journey.follow(page.locator("main ol.items a[href^='/briefs/']").first)
        expect(page.locator("h1")).to_have_text(DEMO_BRIEF)
        signed_by = page.locator("main dl.facts dd").first
        expect(signed_by).to_contain_text(CARREFOUR)
        expect(signed_by).to_contain_text(CDC)
        link = page.locator("#attachments a[href*='/attachments/']").first
        expect(link).to_have_text("memoire-carrefour-des-aines.pdf")
        response = page.request.get(journey.base + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.body().startswith(b"%PDF-")
    with journey.step("the round's public briefs, the confidential one left out"):
        journey.visit(f"/rounds/{round_id}/briefs")
        listed = page.locator("main table tbody")
        expect(listed).to_contain_text(DEMO_BRIEF)
        expect(listed).not_to_contain_text("Repas livrés")
    with journey.step("the moderation transparency page of the round"):
        journey.visit(f"/rounds/{round_id}")
        journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/moderation']"))
        expect(page.locator("main table")).to_have_count(2)
        expect(page.locator("main .breadcrumb")).to_contain_text(CLOSED_ROUND)


def test_moderator_hides_a_reported_comment_and_the_thread_shows_the_reason(journey, live_server):
    page = journey.page
    token = _token()
    with journey.step("a citizen's comment gives a neighbour's address"):
        journey.sign_in(CITOYEN)
        round_id = _open_round(journey)
        item_path = _open_item(journey, round_id, HOUSING)
        text = f"Mme Lafleur, au 2150 rue Ontario, appartement 4, vit seule sans ascenseur ({token})."
        comment_id = _post_comment(journey, text)
        journey.sign_out()
    with journey.step("another participant reports it"):
        journey.sign_in(MEMBER)
        journey.visit(item_path)
        journey.follow(page.locator(f"#comment-{comment_id} a.flag-link"))
        expect(page.locator("main .panel")).to_contain_text(text)
        page.locator("input[name=reason][value=personal_information]").check()
        journey.follow(page.locator("main form button[type=submit]"))
        assert _path(journey) == item_path, page.url
        expect(page.locator(".flash")).to_contain_text("Merci")
        journey.sign_out()
    with journey.step("the moderator hides it from the queue, with a public reason"):
        journey.sign_in(MODERATOR)
        journey.visit("/account")
        journey.follow(page.locator("main a[href^='/establishments/'][href$='/moderation']").first)
        card = page.locator("main li.card").filter(has_text=token)
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Révèle des renseignements personnels")
        reason = f"Ce commentaire donnait l'adresse d'une personne, ce que les règles interdisent ({token})."
        card.locator("textarea[name=public_reason]").fill(reason)
        journey.follow(card.locator("button[name=decision][value=hide]"))
        expect(page.locator(".flash")).to_contain_text("Le contenu est masqué")
        expect(page.locator("main li.card").filter(has_text=token)).to_have_count(0)
        journey.sign_out()
    with journey.step("a visitor reads the thread: the reason stands in place of the comment"):
        journey.visit(item_path)
        hidden = page.locator(f"#comment-{comment_id}")
        expect(hidden).to_contain_text(re.compile(r"Masqué par la modération\W+" + re.escape(reason)))
        expect(hidden).not_to_contain_text("2150 rue Ontario")
        expect(hidden.locator("a.flag-link")).to_have_count(0)
    with journey.step("the author was told, with the reason"):
        wait_until(lambda: any(CITOYEN in str(m["To"]) and reason in _body(m) for m in _messages(live_server)),
                   timeout=30, what="the moderation notice to the author")


# Closes the open demo round: keep it last.
def test_round_closes_and_the_planner_answers_every_input(journey, live_server):
    page = journey.page
    token = _token()
    with journey.step("a citizen comments while the round is open"):
        journey.sign_in(CITOYEN)
        round_id = _open_round(journey)
        _open_item(journey, round_id, ISOLATION)
        comment = f"Le café-rencontre du jeudi est le seul rendez-vous de ma semaine ({token})."
        _post_comment(journey, comment)
        journey.sign_out()
    with journey.step("the closing time passes and the scheduler's tick closes the round"):
        _close_by_tick(live_server, round_id)
        journey.visit(f"/rounds/{round_id}")
        expect(page.locator("main .round-banner")).to_have_class(re.compile(r"round-banner-closed"))
        expect(page.locator(f"main a[href$='/rounds/{round_id}/proposed-needs/new']")).to_have_count(0)
    with journey.step("the planner answers every input"):
        journey.sign_in(PLANNER)
        journey.visit(f"/rounds/{round_id}/answers")
        expect(page.locator("h1")).to_contain_text(OPEN_ROUND)
        reasons = _answer_every_input(journey, round_id, token)
        assert len(reasons) >= 2, "the round has the demo's inputs and this journey's comment to answer"
    with journey.step("the planner publishes the results"):
        journey.visit(f"/rounds/{round_id}/heard")
        journey.follow(page.locator(f"form[action$='/rounds/{round_id}/heard/publish'] button[type=submit]"))
        expect(page.locator("form[action$='/heard/publish']")).to_have_count(0)
        journey.sign_out()
    with journey.step("a visitor reads what we heard, what we did, in French"):
        journey.visit(f"/rounds/{round_id}/heard")
        expect(page.locator("html")).to_have_attribute("lang", re.compile("^fr"))
        main = page.locator("main")
        expect(main).to_contain_text(comment)
        for reason in reasons:
            expect(main).to_contain_text(reason)
        totals = page.locator("main table tfoot td")
        expect(totals.first).to_have_text(str(len(reasons)))
        expect(totals.last).to_have_text("0")
        expect(main).to_contain_text(re.compile(rf"(answered all|a répondu aux) {len(reasons)} "))
    with journey.step("and in English"):
        journey.follow(page.locator("a.lang-toggle"))
        expect(page.locator("html")).to_have_attribute("lang", "en-CA")
        expect(page.locator("h1")).to_have_text("What we heard, what we did")
        main = page.locator("main")
        expect(main).to_contain_text(f"The establishment answered all {len(reasons)} inputs.")
        for reason in reasons:
            expect(main).to_contain_text(reason)
        journey.follow(page.locator("a.lang-toggle"))


def _answer_every_input(journey, round_id: int, token: str) -> list[str]:
    """As a planner: answer each input still unanswered, from the queue, with a reasoned outcome (the four
    outcomes in turn) until none is left; returns the reasons given, in order."""
    page = journey.page
    outcomes = ["retained", "partly_retained", "not_retained", "out_of_scope"]
    reasons: list[str] = []
    for n in range(40):
        journey.visit(f"/rounds/{round_id}/answers?status=unanswered")
        pending = page.locator("main ol.items a[href*='/answers/']")
        if not pending.count():
            return reasons
        journey.follow(pending.first)
        page.locator(f"input[name=outcome][value={outcomes[n % len(outcomes)]}]").check()
        reason = f"Réponse motivée numéro {n + 1} de l'établissement ({token})."
        page.locator("textarea[name=reason]").fill(reason)
        journey.follow(page.locator("form[action*='/answers/'] button[type=submit]"))
        assert re.search(rf"/rounds/{round_id}/answers(\?|#|$)", page.url), page.url
        reasons.append(reason)
    raise AssertionError("the answer queue never emptied")


def _close_by_tick(live_server, round_id: int) -> None:
    """Move the round's closing time to the past and run the beat scheduler's task, as the worker would."""
    script = f"""
from datetime import timedelta

from consult import create_app
from consult.core.db import db, now_utc
from consult.rounds.models import ConsultationRound
from consult.rounds.tasks import tick

with create_app().app_context():
    round_ = db.session.get(ConsultationRound, {round_id})
    now = now_utc()
    round_.closes_at = now - timedelta(minutes=1)
    if round_.opens_at >= round_.closes_at:
        round_.opens_at = round_.closes_at - timedelta(days=30)
    db.session.commit()
    changed = tick()
    assert {round_id} in changed["closed"], changed
    print(changed)
"""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CONSULT_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DATABASE_URL": live_server.database_url, "CONSULT_DATA_DIR": str(live_server.data_dir),
                "CONSULT_SECRET_KEY": SECRET, "CONSULT_ENV": "development", "CONSULT_BASE_URL": live_server.url,
                "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"the tick failed:\n{done.stdout}{done.stderr}"
