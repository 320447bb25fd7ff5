"""Schemathesis reads the OpenAPI document the app serves and throws generated requests at every operation,
with a token of scope "participate" (a representative's, so writes get past authentication): no answer may
be a server error, and every answer must match the document (status code, media type, headers, schema).

Path parameters point at real rows (a round open now, its need, a thread, …) so that generated queries and
bodies reach the serializers and the write paths, not only 404s; unknown identifiers are tested elsewhere.

Bounded to stay quick: a few examples per operation, no shrinking, derandomized so a failure reproduces.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consult.core.db import db
from tests.api.factories import brief, comment, proposed

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def api_token(consultation, token_for) -> str:
    return token_for(consultation.representative)


@pytest.fixture
def real_ids(consultation) -> dict[str, object]:
    # Rows for the reads to find: a thread with a reply, a hidden comment, a proposed need, a brief.
    first = comment(consultation, consultation.citizen, "Premier commentaire")
    comment(consultation, consultation.citizen, "Réponse", parent=first)
    comment(consultation, consultation.citizen, "Masqué", hidden="Hors sujet")
    need = proposed(consultation, consultation.citizen, "Répit le soir")
    made = brief(consultation, "Mémoire", attachment=True)
    db.session.commit()
    return {"round_id": consultation.round.id, "version_id": consultation.needs_version.id,
            "uid": consultation.need_uid, "comment_id": first.id, "proposed_need_id": need.id, "brief_id": made.id,
            "project_id": consultation.project.id, "organization_id": consultation.coalition.id,
            "establishment_id": consultation.establishment.id, "node_id": consultation.area.id}


@pytest.fixture
def api_schema(app, real_ids, api_token):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_matches_the_document(case, api_token, real_ids):
    if case.path_parameters:
        case.path_parameters = {name: real_ids[name] for name in case.path_parameters}
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
