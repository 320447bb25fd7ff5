"""Journeys through the clinical project workspace and the partnership registry, on the demo data."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.test_consultation_journeys import (
    CITOYEN,
    _answer_every_input,
    _close_by_tick,
    _open_item,
    _post_comment,
)
from tests.e2e.test_summary_journeys import SUMMARY_LINKS, _compile_and_wait
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


# Journey 3: a planner builds a whole PALV project through the pages, consults on its step 1 and publishes
# the summary of the round; a visitor reads step 1 -----------------------------------------------------------

ESTABLISHMENT = "CSSS du Centre-Est de Montréal"
CARREFOUR = "Carrefour des aînés du Centre-Sud"
ISOLATION = "Aînés isolés sans réseau de soutien"
HOUSING = "Logements sans ascenseur pour les aînés"
HOME_CARE = "Soutien à domicile du CLSC des Faubourgs"
VISITS = "Visites d'amitié à domicile"
GAP = "Délais trop longs pour joindre les aînés isolés"
KEEP = "Repérage des aînés isolés par les pairs"
ADD = "Intervenante de milieu en HLM"
OFFER = "Repérage et accompagnement des aînés isolés"
DUTY = "Repérer les aînés isolés et les diriger vers le CLSC"
INDICATOR = "Aînés vivant seuls"
ROUND = "Les besoins des aînés des Faubourgs : qu'en dites-vous?"
# As Excel exports a sheet in Québec: UTF-8 with a BOM, semicolons, decimal commas, French headers.
CSV_HEADER = "\ufeffIndicateur;Unité;Valeur;Année;Territoire;Source\r\n"
CSV_ROWS = [("06111-01", "46,2"), ("06111-02", "41,8"), ("06112-01", "38,5"), ("06113-01", "44,1")]


def _csv(rows: list[tuple[str, str]]) -> bytes:
    lines = [f"{INDICATOR};%;{value};2021;{code};Statistique Canada, recensement 2021\r\n" for code, value in rows]
    return (CSV_HEADER + "".join(lines)).encode("utf-8")


def _open_step(journey, number: int) -> None:
    """From any page of the project: its page (breadcrumb), then the working copy of the step."""
    page = journey.page
    journey.follow(page.locator("main .breadcrumb a").nth(1))
    journey.follow(page.get_by_role("link", name=f"Version de travail de l'étape {number}"))
    expect(page.locator("h1")).to_contain_text(f"Étape {number}")


def _add(journey, plural: str) -> None:
    """On a step's page: the "Add" link beside one kind of content."""
    page = journey.page
    row = page.locator("main li").filter(has=page.get_by_role("link", name=plural, exact=True))
    journey.follow(row.get_by_role("link", name="Ajouter"))


def _save(journey, added: str) -> None:
    page = journey.page
    journey.follow(page.locator("main").get_by_role("button", name="Enregistrer"))
    expect(page.locator("main")).to_contain_text(f"« {added} » a été ajouté")


def test_planner_builds_a_six_step_palv_project_consults_on_step_1_and_publishes_the_summary(
        journey, live_server, tmp_path):
    """One continuous path: the planner builds the project, publishes step 1, consults on it, compiles and
    publishes the summary of the round; a citizen comments in between, and a visitor reads step 1 at the end."""
    page = journey.page
    main = page.locator("main")
    token = secrets.token_hex(3)
    # Not "PALV" in the title: other journeys open the demo project as the first one whose title says PALV.
    title = f"Projet clinique des aînés des Faubourgs {token}"

    with journey.step("the planner starts a PALV project"):
        journey.sign_in("planif@demo.consult.ca")
        journey.visit("/projects")
        journey.follow(page.get_by_role("link", name="Lancer un projet clinique"))
        main.get_by_label("Établissement", exact=True).select_option(label=ESTABLISHMENT)
        main.get_by_label("Programme-services", exact=True).select_option(
            label="Perte d'autonomie liée au vieillissement (PALV)")
        main.get_by_label("Titre", exact=True).fill(title)
        main.get_by_label("Synthèse en langage clair").fill("Les aînés du CLSC des Faubourgs, de 2026 à 2029.")
        main.get_by_label("Territoires couverts").select_option(label=["0611 — RLS du Centre-Est"])
        main.get_by_label("Début de la période").fill("2026-04-01")
        main.get_by_label("Fin de la période").fill("2029-03-31")
        journey.follow(main.get_by_role("button", name="Créer le projet"))
        expect(page.locator("h1")).to_have_text(title)
        expect(main).to_contain_text("Perte d'autonomie liée au vieillissement (PALV)")
        expect(main).to_contain_text("RLS du Centre-Est")

    with journey.step("step 1: two needs, one of them a social determinant"):
        journey.follow(page.get_by_role("link", name="Version de travail de l'étape 1"))
        _add(journey, "Besoins")
        main.get_by_label("Titre", exact=True).fill(ISOLATION)
        main.get_by_label("Description").fill("Beaucoup d'aînés vivent seuls, sans famille à proximité.")
        main.get_by_label("Groupes de population").fill("aînés vivant seuls, hommes âgés")
        main.get_by_label("Secteurs locaux").select_option(label=["06111-01 — Centre-Sud", "06111-02 — Quartier latin"])
        main.get_by_label("Catégorie de déterminant").select_option(label="Isolement social (déterminant social)")
        main.get_by_label("Priorité").select_option(label="Élevée")
        main.get_by_label("Sources").fill("Table des aînés, 2025")
        _save(journey, ISOLATION)
        journey.follow(main.get_by_role("link", name="Ajouter", exact=True))
        main.get_by_label("Titre", exact=True).fill(HOUSING)
        main.get_by_label("Catégorie de déterminant").select_option(label="Logement (déterminant social)")
        main.get_by_label("Priorité").select_option(label="Moyenne")
        _save(journey, HOUSING)

    with journey.step("step 1: indicators from a CSV file, refused with a report, then imported"):
        _open_step(journey, 1)
        journey.follow(page.get_by_role("link", name="Importer des indicateurs à partir d'un fichier CSV"))
        wrong = tmp_path / "indicateurs-erreur.csv"
        wrong.write_bytes(_csv([*CSV_ROWS[:2], ("99999", "n.d.")]))
        main.get_by_label("Fichier CSV").set_input_files(wrong)
        journey.follow(main.get_by_role("button", name="Vérifier et importer"), expect_status=422)
        report = main.locator(".error-summary")
        expect(report).to_contain_text("Rien n'a été importé")
        errors = report.locator("table tbody tr")
        expect(errors).to_have_count(2)
        expect(errors.first).to_contain_text("4")
        expect(report).to_contain_text("99999")
        right = tmp_path / "indicateurs.csv"
        right.write_bytes(_csv(CSV_ROWS))
        main.get_by_label("Fichier CSV").set_input_files(right)
        journey.follow(main.get_by_role("button", name="Vérifier et importer"))
        expect(main).to_contain_text("4 lignes importées : 4 nouveaux indicateurs, 0 mis à jour.")
        expect(main).to_contain_text("46,2")

    with journey.step("step 2: a service of the establishment and one proposed for an organization"):
        _open_step(journey, 2)
        _add(journey, "Services")
        main.get_by_label("Nom", exact=True).fill(HOME_CARE)
        expect(main.get_by_label("Prestataire", exact=True)).to_have_value("0")
        main.get_by_label("Type de prestataire").select_option(label="Public")
        main.get_by_label("Besoins auxquels il répond").select_option(label=[HOUSING])
        _save(journey, HOME_CARE)
        journey.follow(main.get_by_role("link", name="Ajouter", exact=True))
        main.get_by_label("Nom", exact=True).fill(VISITS)
        main.get_by_label("Prestataire", exact=True).select_option(label=CARREFOUR)
        main.get_by_label("Type de prestataire").select_option(label="Communautaire")
        main.get_by_label("Secteurs locaux desservis").select_option(label=["06111-01 — Centre-Sud"])
        main.get_by_label("Besoins auxquels il répond").select_option(label=[ISOLATION])
        _save(journey, VISITS)
        expect(main).to_contain_text("en attente de la confirmation de l'organisme")

    with journey.step("step 3: a gap of access on the isolation need"):
        _open_step(journey, 3)
        _add(journey, "Écarts")
        main.get_by_label("Titre", exact=True).fill(GAP)
        main.get_by_label("Besoin", exact=True).select_option(label=ISOLATION)
        main.get_by_label("Ressources mises à contribution").select_option(label=[VISITS])
        main.get_by_label("Dimension").select_option(label="Accès")
        main.get_by_label("Gravité").select_option(label="Élevée")
        main.get_by_label("Données probantes").fill("Liste d'attente de six mois aux visites d'amitié.")
        _save(journey, GAP)

    with journey.step("steps 4 and 5: a model to keep and a model to add"):
        _open_step(journey, 4)
        _add(journey, "Modèles cliniques")
        expect(main.get_by_label("Type", exact=True)).to_have_value("keep")
        main.get_by_label("Nom", exact=True).fill(KEEP)
        main.get_by_label("Partenaires engagés").select_option(label=[CARREFOUR])
        main.get_by_label("Origine").fill("Mis sur pied par le Carrefour des aînés en 2012")
        main.get_by_label("Écarts visés").select_option(label=[GAP])
        main.get_by_label("Décision", exact=True).select_option(label="Retenu")
        _save(journey, KEEP)
        _open_step(journey, 5)
        _add(journey, "Modèles cliniques")
        expect(main.get_by_label("Type", exact=True)).to_have_value("add")
        main.get_by_label("Nom", exact=True).fill(ADD)
        main.get_by_label("Écarts visés").select_option(label=[GAP])
        main.get_by_label("Décision", exact=True).select_option(label="Proposé")
        _save(journey, ADD)
        expect(main).to_contain_text("Modèle à ajouter")

    with journey.step("step 6: an offer element, a service-agreement parameter and a responsibility"):
        _open_step(journey, 6)
        expect(main).to_contain_text("à la fois partenaire et bailleur de fonds")
        _add(journey, "Éléments de l'offre de service")
        main.get_by_label("Nom", exact=True).fill(OFFER)
        main.get_by_label("Écarts auxquels il répond").select_option(label=[GAP])
        main.get_by_label("Modèles auxquels il donne suite").select_option(label=[KEEP, ADD])
        main.get_by_label("Prestataires", exact=True).select_option(label=[ESTABLISHMENT, CARREFOUR])
        _save(journey, OFFER)
        journey.follow(main.get_by_role("link", name=f"Paramètres de l'entente de service avec {CARREFOUR}"))
        times = main.locator("section#response_times")
        times.get_by_label("Proposer ou modifier le texte").check()
        times.get_by_label("Texte", exact=True).fill("Premier contact dans les 5 jours ouvrables suivant la "
                                                      "demande.")
        journey.follow(times.get_by_role("button", name="Envoyer au nom de l'établissement"))
        expect(main).to_contain_text("Votre version de « Délais de réponse » a été enregistrée.")
        expect(main.locator("section#response_times")).to_contain_text("dans les 5 jours ouvrables")
        _open_step(journey, 6)
        _add(journey, "Rôles et responsabilités")
        main.get_by_label("Responsabilité", exact=True).fill(DUTY)
        main.get_by_label("Élément de l'offre de service", exact=True).select_option(label=OFFER)
        main.get_by_label("Décide", exact=True).select_option(label=[ESTABLISHMENT])
        main.get_by_label("Réalise", exact=True).select_option(label=[CARREFOUR])
        _save(journey, DUTY)

    with journey.step("step 1 is published: version 1 is frozen"):
        _open_step(journey, 1)
        journey.follow(main.get_by_role("button", name="Publier pour consultation"))
        expect(main).to_contain_text("La version 1 de « Portrait des besoins » est publiée.")
        expect(main.locator("section[aria-labelledby=versions-title]")).to_contain_text("Version 1")

    with journey.step("traceability: need → gap → models → offer element → responsible actors"):
        journey.follow(page.locator("main .breadcrumb a").nth(1))
        journey.follow(page.get_by_role("link", name=re.compile("^Traçabilité")))
        row = main.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=re.compile(ISOLATION)))
        for text in (GAP, KEEP, ADD, OFFER, f"{ESTABLISHMENT} (Décide)", f"{CARREFOUR} (Réalise)"):
            expect(row).to_contain_text(text)
        other = main.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=re.compile(HOUSING)))
        expect(other).to_contain_text("Aucune analyse des écarts")

    with journey.step("coverage: only the housing need lacks a gap analysis"):
        journey.follow(main.get_by_role("link", name="Rapport de couverture"))
        def section(heading: str):
            return main.locator("section").filter(has=page.get_by_role("heading", name=re.compile(heading)))

        expect(section("^Besoins sans analyse des écarts")).to_contain_text(f"(1) {HOUSING}")
        expect(section("^Écarts sans modèle clinique")).to_contain_text("(0)")
        expect(section("^Éléments de l'offre sans acteur responsable")).to_contain_text("(0)")

    with journey.step("the planner prepares a round on version 1 of the needs portrait and opens it now"):
        journey.follow(page.locator("main .breadcrumb a").nth(1))
        journey.follow(main.get_by_role("link", name="Préparer et gérer les rondes"))
        journey.follow(main.get_by_role("link", name="Préparer une nouvelle ronde"))
        main.get_by_label("Titre", exact=True).fill(ROUND)
        main.get_by_label("Mandat", exact=True).fill(
            "Dites-nous si le portrait nomme les bons besoins. Les budgets se décident ailleurs; l'établissement "
            "répond à chaque commentaire.")
        version_1 = main.get_by_role("group", name="Versions en consultation").get_by_role(
            "checkbox", name=re.compile("Portrait des besoins — version 1 "))
        expect(version_1).to_be_checked()
        journey.follow(main.get_by_role("button", name="Créer le brouillon"))
        expect(page.locator("h1")).to_have_text(ROUND)
        round_id = int(re.search(r"/rounds/(\d+)$", page.url).group(1))
        journey.follow(main.get_by_role("button", name="Ouvrir maintenant"))
        expect(main.locator(".round-banner")).to_have_class(re.compile(r"round-banner-open"))
        expect(main.locator(f"a[href$='/rounds/{round_id}/proposed-needs/new']")).to_be_visible()
        journey.sign_out()

    with journey.step("a citizen comments on both needs of the round"):
        journey.sign_in(CITOYEN)
        journey.visit(f"/rounds/{round_id}")
        expect(main.locator("section[aria-labelledby=items-title]")).to_contain_text(ISOLATION)
        comments = [f"Mon voisin ne sort plus depuis que le café du coin a fermé; personne ne le visite ({token}).",
                    f"Sans ascenseur, ma mère ne descend plus ses trois étages pour aller à l'épicerie ({token})."]
        for need, text in zip((ISOLATION, HOUSING), comments, strict=True):
            _open_item(journey, round_id, need)
            _post_comment(journey, text)
        journey.sign_out()

    with journey.step("the round closes"):
        _close_by_tick(live_server, round_id)
        journey.sign_in("planif@demo.consult.ca")
        journey.visit(f"/rounds/{round_id}")
        expect(main.locator(".round-banner")).to_have_class(re.compile(r"round-banner-closed"))

    with journey.step("the planner compiles the summary, watching its progress bar"):
        journey.follow(main.get_by_role("link", name="Synthèses et thèmes"))
        expect(page.locator(SUMMARY_LINKS)).to_have_count(0)
        _compile_and_wait(journey, round_id, 0)

    with journey.step("the planner reviews the themes the workers proposed"):
        journey.follow(main.get_by_role("link", name="Examiner les thèmes"))
        approve_all = main.locator(f"form[action$='/rounds/{round_id}/themes/approve-all'] button[type=submit]")
        expect(approve_all).to_have_count(1)
        journey.follow(approve_all)
        expect(approve_all).to_have_count(0)
        expect(main).to_contain_text(re.compile("Tous les thèmes ont été examinés|Every theme is reviewed"))

    with journey.step("the planner answers both comments"):
        reasons = _answer_every_input(journey, round_id, token)
        assert len(reasons) == 2, reasons

    with journey.step("compiled again with the approved themes and the answers, then published"):
        _compile_and_wait(journey, round_id, 1)
        journey.follow(page.locator(SUMMARY_LINKS).first)
        expect(main).not_to_contain_text(re.compile("pas encore tous été examinés|have not all been reviewed"))
        journey.follow(main.locator("form[action$='/publish'] button[type=submit]"))
        expect(main.locator("form[action$='/publish']")).to_have_count(0)
        expect(page.locator(".flash")).to_contain_text("La synthèse est publiée.")

    with journey.step("the PDF of the published summary downloads"):
        pdf = journey.download(main.locator("a[href*='/download/pdf']").first, tmp_path)
        assert re.fullmatch(r"synthese-les-besoins-des-aines-des-faubourgs-.*-fr\.pdf", pdf.name), pdf.name
        assert pdf.read_bytes().startswith(b"%PDF-")
        journey.check()

    with journey.step("a visitor reads version 1 of the needs portrait in French"):
        journey.sign_out()
        journey.visit("/projects")
        journey.follow(main.get_by_role("link", name=title))
        expect(main).not_to_contain_text("Version de travail")
        journey.follow(main.get_by_role("link", name="Lire la version 1"))
        expect(page.locator("h1")).to_contain_text("Portrait des besoins")
        expect(main).to_contain_text(ISOLATION)
        expect(main).to_contain_text("Isolement social (déterminant social)")
        expect(main).to_contain_text(HOUSING)
        journey.follow(main.get_by_role("link", name=re.compile("^Indicateurs")))
        chart = main.locator("svg[role=img]")
        expect(chart).to_have_count(1)
        expect(chart).to_contain_text(f"{INDICATOR} par secteur local, 2021")
        expect(chart).to_contain_text("Centre-Sud")
        table = main.locator("table").filter(has_text="données du graphique ci-dessus")
        expect(table.locator("tbody tr")).to_have_count(4)
        expect(table).to_contain_text("46,2")

    with journey.step("the same version in English"):
        journey.follow(page.locator("a.lang-toggle"))
        expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
        expect(page.locator("h1")).to_contain_text("Needs portrait")
        expect(main.locator("svg[role=img]")).to_have_count(1)
        expect(main.locator("svg[role=img]")).to_contain_text(f"{INDICATOR} by local area, 2021")
        table = main.locator("table").filter(has_text="data of the chart above")
        expect(table.locator("tbody tr")).to_have_count(4)
        expect(table).to_contain_text("46.2")
        journey.follow(main.get_by_role("link", name=re.compile("^Needs")))
        expect(main).to_contain_text(ISOLATION)
        expect(main).to_contain_text("Social isolation (social determinant)")
        expect(main).to_contain_text(HOUSING)
