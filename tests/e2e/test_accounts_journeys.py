"""Journeys through sign-up (a newcomer who then takes part in the open demo round: journey 1), a citizen who
signs in and comments by keyboard alone (journey 5), administration and the language toggle (journey 6)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.test_consultation_journeys import (
    ISOLATION,
    ITEM_LINKS,
    OPEN_ROUND,
    _open_item,
    _open_round,
    _post_comment,
    _propose_need,
    _reply,
    _support,
)
from tests.fixtures.app import link_in
from tests.fixtures.services import wait_until

ACCOUNT_EMAIL = re.compile("Adresse courriel|E-mail address")


def test_newcomer_registers_verifies_and_takes_part_in_the_open_round(journey, live_server):
    """Journey 1: a newcomer's account, then the needs portrait read and each way of taking part in a round."""
    page = journey.page
    token = uuid.uuid4().hex[:8]
    with journey.step("home page in French"):
        journey.visit("/")
        expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
        journey.follow(page.get_by_role("link", name="Créer un compte").first)
    with journey.step("registration form"):
        page.get_by_label(ACCOUNT_EMAIL).fill("nouvelle.citoyenne@exemple.ca")
        page.get_by_label(re.compile("^Nom affiché")).fill("Nouvelle citoyenne")
        page.get_by_label(re.compile("^Mot de passe")).fill("une phrase de passe bien longue")
        page.get_by_label(re.compile("avis de confidentialité")).check()
        journey.follow(page.locator("main form button[type=submit]"))
        expect(page.locator("main")).to_contain_text("nouvelle.citoyenne@exemple.ca")
    with journey.step("verification link from the outbox"):
        # A real worker delivers the message: wait for it as a person would.
        sent = wait_until(lambda: [m for m in live_server.outbox() if "To: nouvelle.citoyenne@exemple.ca" in m],
                          timeout=30, what="the verification message in the outbox")
        journey.visit(link_in(sent[-1], "/verify/"))
        expect(page.locator(".flash")).to_contain_text("vérifiée")
    with journey.step("sign in and see the account"):
        journey.sign_in("nouvelle.citoyenne@exemple.ca", "une phrase de passe bien longue")
        journey.visit("/account")
        expect(page.locator("main")).to_contain_text("nouvelle.citoyenne@exemple.ca")
    with journey.step("the needs portrait in consultation, its indicators in a chart and a table"):
        round_id = _open_round(journey)
        journey.follow(page.locator("main section[aria-labelledby=items-title] a[href*='/steps/1/versions/']"))
        expect(page.locator("h1")).to_contain_text("Portrait des besoins")
        expect(page.locator("main")).to_contain_text(ISOLATION)
        journey.follow(page.locator("main a").filter(has_text=re.compile("^Indicateurs")).first)
        chart = page.locator("main svg[role=img]").first
        expect(chart).to_be_visible()
        expect(page.locator("main table caption").first).to_be_visible()
    with journey.step("a comment on a need"):
        item_path = _open_item(journey, round_id, ISOLATION)
        text = f"Je suis arrivée dans le quartier cet automne et je ne connais encore personne ({token})."
        comment_id = _post_comment(journey, text)
        expect(page.locator(f"#comment-{comment_id}")).to_contain_text("Nouvelle citoyenne")
    with journey.step("a reply in another participant's thread"):
        journey.visit(item_path)
        thread = page.locator("main article.comment").filter(has_text="cafés-rencontres du Carrefour").first
        other = int(thread.get_attribute("id").removeprefix("comment-"))
        _reply(journey, other, f"Je ne savais pas que ces cafés existaient : où les annonce-t-on? ({token})")
    with journey.step("support for the need"):
        journey.visit(item_path)
        _support(journey)
    with journey.step("a missing need"):
        _propose_need(journey, round_id, f"Accueil des nouveaux arrivants âgés dans le quartier {token}",
                      "Personne ne présente les ressources du quartier aux aînés qui viennent d'emménager.")
        journey.sign_out()


def test_language_toggle_switches_every_visited_page(journey):
    page = journey.page
    for path, french, english in (("/", "Accueil", "Home"), ("/login", "Se connecter", "Sign in"),
                                  ("/register", "Créer un compte", "Create an account"),
                                  ("/privacy", "confidentialité", "Privacy"),
                                  ("/establishments", "Établissements", "Establishments")):
        with journey.step(f"toggle on {path}"):
            journey.visit(path)
            expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
            expect(page.locator("body")).to_contain_text(french)
            journey.follow(page.locator("a.lang-toggle"))
            expect(page.locator("html")).to_have_attribute("lang", "en-CA")
            assert page.url.endswith(path), page.url
            expect(page.locator("body")).to_contain_text(english)
            journey.follow(page.locator("a.lang-toggle"))
            expect(page.locator("html")).to_have_attribute("lang", "fr-CA")


def _tab_to(page, target, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {limit} presses of Tab")


def _enter(journey) -> None:
    """Press Enter on the focused link or button: a new page loads, and is checked like any other."""
    with journey.page.expect_navigation():
        journey.page.keyboard.press("Enter")
    journey.check()


def test_keyboard_only_citizen_signs_in_and_posts_a_comment(journey):
    """Journey 5: Tab, typing and Enter only, from the home page to a published comment."""
    page = journey.page
    token = uuid.uuid4().hex[:8]
    with journey.step("from the home page to the open round, then to a need, by keyboard"):
        journey.visit("/")
        _tab_to(page, page.locator("header nav a[href='/rounds']"))
        _enter(journey)
        _tab_to(page, page.locator("main a[href^='/rounds/']").filter(has_text=OPEN_ROUND).first)
        _enter(journey)
        expect(page.locator("h1")).to_contain_text(OPEN_ROUND)
        _tab_to(page, page.locator(ITEM_LINKS).filter(has_text=ISOLATION).first)
        _enter(journey)
        expect(page.locator("h1")).to_contain_text(ISOLATION)
        item_path = page.url.replace(journey.base, "")
    with journey.step("the sign-in link beside the comments, and the form, by keyboard"):
        _tab_to(page, page.locator("#comments a[href^='/login']"))
        _enter(journey)
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")  # past the menu, to the main content
        _tab_to(page, page.get_by_label(ACCOUNT_EMAIL), limit=5)
        page.keyboard.type("citoyen@demo.consult.ca")
        page.keyboard.press("Tab")
        page.keyboard.type("demo-consult-2026")
        _enter(journey)
        expect(page.locator(".flash")).to_contain_text("connecté")
        assert page.url.replace(journey.base, "") == item_path, page.url
    with journey.step("a comment typed and sent by keyboard"):
        text = f"Un appel par semaine d'un bénévole suffirait à bien des aînés seuls ({token})."
        _tab_to(page, page.locator("#new-comment textarea[name=body]"))
        page.keyboard.type(text)
        page.keyboard.press("Tab")
        expect(page.locator("#new-comment button[type=submit]")).to_be_focused()
        _enter(journey)
        found = re.search(r"#comment-(\d+)$", page.url)
        assert found, f"a published comment lands on its anchor, not on {page.url}"
        expect(page.locator(f"#comment-{found.group(1)}")).to_contain_text(text)
        expect(page.locator(".flash")).to_contain_text("publié")


def test_admin_reaches_people_territories_and_outbox(journey):
    page = journey.page
    with journey.step("admin signs in"):
        journey.sign_in("admin@demo.consult.ca")
    for name, path in (("dashboard", "/admin/"), ("people", "/admin/users"), ("territories", "/admin/territories"),
                       ("establishments", "/admin/establishments"), ("outbox", "/admin/outbox")):
        with journey.step(f"admin {name}"):
            journey.visit(path)
            expect(page.locator("h1")).to_be_visible()
    with journey.step("a planner's roles"):
        journey.visit("/admin/users?q=planif")
        journey.follow(page.locator("main table a").first)
        expect(page.locator("main")).to_contain_text("Planificat")
