"""What each API view declares about itself, next to its code: summary, parameters, body, response and the
problems it may answer with. The OpenAPI document is built from these declarations and the URL map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from consult.api.models import Scope


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: Any
    required: bool = False


@dataclass(frozen=True)
class Operation:
    operation_id: str
    tag: str
    summary: Any
    description: Any = ""
    params: tuple[Param, ...] = ()
    body: str | None = None              # a schema of schemas.INPUTS
    media_type: str = "application/json"
    response: str | None = None          # a schema of schemas.SCHEMAS
    many: bool = False                   # a cursor-paginated list of `response`
    status: int = 200
    produces: str = "application/json"   # the success media type
    scope: Scope | None = None           # a token of this scope is required
    problems: tuple[int, ...] = field(default=())


OPERATIONS: dict[str, Operation] = {}


def operation(**declared: Any) -> Callable:
    """Declare the view's operation: `@operation(operation_id=..., tag=..., summary=..., ...)` under the route."""
    spec = Operation(**declared)

    def register(view: Callable) -> Callable:
        endpoint = f"api.{view.__name__}"
        if endpoint in OPERATIONS and OPERATIONS[endpoint] != spec:
            raise RuntimeError(f"API operation {endpoint} declared twice")
        OPERATIONS[endpoint] = spec
        view.api_operation = spec  # type: ignore[attr-defined]
        return view

    return register
