"""Journeys through the clinical project workspace and the partnership registry, on the demo data."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.services import wait_until


def _open_demo_project(journey) -> None:
    page = journey.page
    journey.visit("/projects")
    journey.follow(page.locator("main a[href^='/projects/']").filter(has_text="PALV").first)


def test_visitor_reads_the_needs_portrait_with_charts_and_tables_in_both_languages(journey):
    page = journey.page
    with journey.step("the demo PALV project"):
        _open_demo_project(journey)
        project_url = page.url
    with journey.step("step 1 published: needs portrait"):
        journey.follow(page.locator("main a[href*='/steps/1']").first)
        expect(page.locator("main")).to_contain_text(re.compile("Portrait des besoins", re.I))
    with journey.step("an indicator's chart has its data table"):
        journey.follow(page.locator("main a").filter(has_text=re.compile("^Indicateurs")).first)
        chart = page.locator("main svg[role=img]").first
        expect(chart).to_be_visible()
        expect(page.locator("main table").first).to_be_visible()
    with journey.step("the same page in English"):
        journey.follow(page.locator("a.lang-toggle"))
        expect(page.locator("html")).to_have_attribute("lang", "en-CA")
        expect(page.locator("main")).to_contain_text(re.compile("Needs portrait", re.I))
        expect(page.locator("main svg[role=img]").first).to_be_visible()
        journey.follow(page.locator("a.lang-toggle"))
    with journey.step("every published step, traceability and coverage"):
        for number in range(2, 7):
            journey.visit(project_url.replace(journey.base, "") + f"/steps/{number}")
            expect(page.locator("h1")).to_be_visible()
        for page_name in ("traceability", "coverage", "grid", "roles"):
            journey.visit(project_url.replace(journey.base, "") + f"/{page_name}")
            expect(page.locator("h1")).to_be_visible()
    with journey.step("compare two versions of the needs portrait"):
        journey.visit(project_url.replace(journey.base, "") + "/steps/1/versions")
        expect(page.locator("main")).to_contain_text(re.compile("Version", re.I))


def test_representative_invites_a_member_and_sees_the_two_registers_apart(journey, live_server):
    page = journey.page
    with journey.step("the representative signs in"):
        journey.sign_in("representant@demo.consult.ca")
    with journey.step("directory and the organization's page"):
        journey.visit("/organizations")
        journey.follow(page.locator("main a[href^='/organizations/']").filter(has_text="Carrefour").first)
        expect(page.locator("h1")).to_contain_text("Carrefour")
        organization_url = page.url.replace(journey.base, "")
    with journey.step("members, and an invitation sent by e-mail"):
        journey.visit(organization_url + "/members")
        expect(page.locator("main")).to_contain_text("membre@demo.consult.ca")
        page.get_by_label(re.compile("Adresse courriel de la personne")).fill("benevole@exemple.ca")
        journey.follow(page.get_by_role("button", name=re.compile("Envoyer l'invitation")))
        wait_until(lambda: any("To: benevole@exemple.ca" in m for m in live_server.outbox()), timeout=30,
                   what="the invitation in the outbox")
    with journey.step("relationships, with mission funding and the service agreement apart"):
        journey.visit(organization_url + "/relationships")
        journey.follow(page.locator("main a[href^='/relationships/']").first)
        main = page.locator("main")
        expect(main).to_contain_text("PSOC")
        expect(main).to_contain_text(re.compile("financement à la mission", re.I))
        expect(main).to_contain_text(re.compile("entente de service", re.I))


def test_planner_opens_the_workspace(journey):
    page = journey.page
    with journey.step("the planner signs in"):
        journey.sign_in("planif@demo.consult.ca")
    with journey.step("the project's working copy and the CSV import page"):
        _open_demo_project(journey)
        project_url = page.url.replace(journey.base, "")
        journey.visit(project_url + "/work/need")
        expect(page.locator("h1")).to_be_visible()
        journey.visit(project_url + "/indicators/import")
        expect(page.locator("main input[type=file]")).to_be_visible()
    with journey.step("the establishment's relationships and handovers"):
        journey.visit("/establishments")
        journey.visit("/projects")
