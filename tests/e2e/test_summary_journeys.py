"""The planner compiles the summary of the demo round while watching its progress bar, reviews the themes,
compiles again with the approved ones, opens a quote's source and publishes; a visitor reads the summary and
downloads its PDF and DOCX. Runs after the consultation journeys (which close the open demo round); alone, it
closes the round itself.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_consultation_journeys import OPEN_ROUND, PLANNER, _close_by_tick, _open_round

SUMMARY_LINKS = "main section[aria-labelledby=summaries-title] a[href*='/summaries/']"


def _compile_and_wait(journey, round_id: int, summaries_before: int) -> None:
    page = journey.page
    journey.visit(f"/rounds/{round_id}/compilations")
    journey.follow(page.locator(f"form[action$='/rounds/{round_id}/compile'] button[type=submit]"))
    assert page.url.endswith("/compilations#progress"), page.url
    # The bar is there while the worker runs (it may already be done on a fast machine); the page reloads
    # itself when the job ends and then lists the new summary.
    bar_or_done = page.locator("#job-progress-bar").or_(page.locator(SUMMARY_LINKS).nth(summaries_before))
    expect(bar_or_done.first).to_be_visible()
    expect(page.locator(SUMMARY_LINKS)).to_have_count(summaries_before + 1, timeout=120_000)
    expect(page.locator("#job-progress-bar")).to_have_count(0)
    journey.check()


def test_planner_compiles_reviews_and_publishes_the_summary(journey, live_server):
    page = journey.page
    with journey.step("the planner opens the round's summaries, closing the round first if still open"):
        journey.sign_in(PLANNER)
        round_id = _open_round(journey, OPEN_ROUND)
        if page.locator("main .round-banner-open").count():
            _close_by_tick(live_server, round_id)
        journey.visit(f"/rounds/{round_id}")
        journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/compilations']"))
        expect(page.locator("h1")).to_have_text(re.compile("Synthèses de la ronde|Summaries of the round"))
        before = page.locator(SUMMARY_LINKS).count()
    with journey.step("compile and watch the progress bar"):
        _compile_and_wait(journey, round_id, before)
    with journey.step("review the themes the workers proposed: approve them all"):
        journey.visit(f"/rounds/{round_id}/themes")
        approve_all = page.locator(f"form[action$='/rounds/{round_id}/themes/approve-all'] button[type=submit]")
        expect(approve_all).to_have_count(1)
        journey.follow(approve_all)
        expect(approve_all).to_have_count(0)
    with journey.step("compile again: the approved themes are assigned to every input"):
        _compile_and_wait(journey, round_id, before + 1)
        journey.follow(page.locator(SUMMARY_LINKS).first)
        expect(page.locator("main")).not_to_contain_text(
            re.compile("pas encore tous été examinés|have not all been reviewed"))
    with journey.step("a quote opens its source"):
        summary_path = page.url.replace(journey.base, "")
        source = page.locator("main a[href*='/sources/']").first
        expect(source).to_have_count(1)
        journey.follow(source)
        assert "/sources/" not in page.url or page.locator("main mark").count() == 1, page.url
        journey.visit(summary_path)
    with journey.step("the equity lens shows who took part against the population, with tables"):
        journey.visit(f"/rounds/{round_id}/equity")
        main = page.locator("main")
        expect(main.locator("svg[role=img]").first).to_be_visible()
        assert main.locator("table caption").count() >= main.locator("svg[role=img]").count()
        expect(main).to_contain_text(re.compile("sous-représenté|under-represented", re.I))
        journey.visit(summary_path)
    with journey.step("publish the summary"):
        journey.follow(page.locator("form[action$='/publish'] button[type=submit]"))
        expect(page.locator("form[action$='/publish']")).to_have_count(0)
        journey.sign_out()
    with journey.step("a visitor reads the published summary and downloads its PDF and DOCX"):
        journey.visit(f"/rounds/{round_id}")
        journey.follow(page.locator(f"main a[href$='/rounds/{round_id}/summary']"))
        expect(page.locator("h1")).to_be_visible()
        for kind, media_type, magic in (("pdf", "application/pdf", b"%PDF"),
                                        ("docx", "application/vnd.openxmlformats", b"PK")):
            link = page.locator(f"main a[href*='/download/{kind}']").first
            response = page.request.get(journey.base + link.get_attribute("href"))
            assert response.status == 200, (kind, response.status)
            assert response.headers["content-type"].startswith(media_type)
            assert response.body().startswith(magic)
