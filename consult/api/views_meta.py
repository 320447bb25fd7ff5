"""The OpenAPI document itself, and who the token in use belongs to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.api import openapi, serializers
from consult.api.blueprint import bp, current_token, requires
from consult.api.models import Scope
from consult.api.spec import operation
from consult.api.views_common import json_response


@bp.get("/openapi.json")
@operation(operation_id="getOpenApi", tag="account", summary=_l("This document"),
           description=_l("The OpenAPI 3.1 description of the API, generated from its code."),
           response=None, produces="application/json")
def openapi_document():
    return json_response(openapi.document())


@bp.get("/me")
@operation(operation_id="getMe", tag="account", summary=_l("The token in use"),
           description=_l("Whose token this is and what it allows: a quick way to check a token."),
           response="Me", scope=Scope.read, problems=(401,))
@requires(Scope.read)
def me():
    response = json_response(serializers.me(current_token()))
    response.headers["Cache-Control"] = "private, no-store"
    return response
