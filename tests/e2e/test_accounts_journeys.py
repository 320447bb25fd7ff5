"""Journeys through sign-up, sign-in, the account page, administration and the language toggle."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.app import link_in
from tests.fixtures.services import wait_until

ACCOUNT_EMAIL = re.compile("Adresse courriel|E-mail address")


def test_newcomer_registers_verifies_through_the_outbox_and_signs_in(journey, live_server):
    page = journey.page
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


def test_keyboard_only_sign_in(journey):
    page = journey.page
    with journey.step("skip link then the sign-in form, by keyboard"):
        journey.visit("/login")
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        field = page.get_by_label(ACCOUNT_EMAIL)
        for _ in range(30):
            page.keyboard.press("Tab")
            if field.evaluate("el => el === document.activeElement"):
                break
        expect(field).to_be_focused()
        page.keyboard.type("citoyen@demo.consult.ca")
        page.keyboard.press("Tab")
        page.keyboard.type("demo-consult-2026")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        journey.check()
        expect(page.locator(".flash")).to_contain_text("connecté")


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
