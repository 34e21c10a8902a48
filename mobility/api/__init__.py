"""JSON API v1: bearer-token authentication, validated bodies, an OpenAPI document from the code.

Feature packages declare endpoints with `@api_route(...)` in their `api.py` and add them in
their `init_app` with `register_api(app, module)`; each declaration carries its roles and its
request/response models, from which `/api/v1/openapi.json` is built. `init_app` (called by
`create_app` after every feature) mounts them all under `/api/v1`.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from mobility.api import idempotency, models  # noqa: F401  (models: the idempotency keys' table)
from mobility.auth.policies import public
from mobility.auth.services import user_for_api_token
from mobility.core.declarations import declared_in
from mobility.core.errors import Forbidden, Unauthorized, ValidationFailed
from mobility.core.extensions import csrf
from mobility.core.translations import lazy_gettext as _l


@dataclass
class ApiRoute:
    rule: str
    methods: tuple[str, ...]
    roles: frozenset[str] | None  # None: public
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    tags: list[str] = field(default_factory=list)
    endpoint: str = ""
    #: the handler answers a JSON array (found in its code when no response model is given)
    returns_list: bool = False
    #: what a success answers: JSON, or a document (`application/pdf`), or either
    media_types: tuple[str, ...] = ("application/json",)
    #: the Flask view (authentication, roles, body and query parsing around the handler)
    view: Callable | None = None

_PYDANTIC_MESSAGES = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not expected."),
    "string_type": _l("Must be text."),
    "string_too_short": _l("This field cannot be empty."),
    "string_too_long": _l("This text is too long."),
    "int_type": _l("Must be a whole number."),
    "int_parsing": _l("Must be a whole number."),
    "int_from_float": _l("Must be a whole number."),
    "float_type": _l("Must be a number."),
    "float_parsing": _l("Must be a number."),
    "bool_type": _l("Must be true or false."),
    "bool_parsing": _l("Must be true or false."),
    "date_type": _l("Must be a date (YYYY-MM-DD)."),
    "date_parsing": _l("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _l("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_inexact": _l("Must be a date (YYYY-MM-DD)."),
    "datetime_type": _l("Must be a date and time (ISO 8601)."),
    "datetime_parsing": _l("Must be a date and time (ISO 8601)."),
    "datetime_from_date_parsing": _l("Must be a date and time (ISO 8601)."),
    "time_type": _l("Must be a time (HH:MM)."),
    "time_parsing": _l("Must be a time (HH:MM)."),
    "literal_error": _l("This value is not one of the allowed choices."),
    "enum": _l("This value is not one of the allowed choices."),
    "greater_than_equal": _l("This number is too small."),
    "greater_than": _l("This number is too small."),
    "less_than_equal": _l("This number is too large."),
    "less_than": _l("This number is too large."),
    "value_error": _l("This value is not valid."),
    "dict_type": _l("Must be an object."),
    "model_type": _l("Must be an object."),
    "list_type": _l("Must be a list."),
}


def _field_errors(error: PydanticValidationError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        message = _PYDANTIC_MESSAGES.get(item["type"], _l("This value is not valid."))
        ctx_error = (item.get("ctx") or {}).get("error")
        if item["type"] == "value_error" and isinstance(ctx_error, ValueError) and ctx_error.args:
            message = ctx_error.args[0]  # our validators raise with a translated message
        details[name] = message
    return details


#: deeper JSON is refused before it reaches a model (a bomb of nested arrays)
MAX_JSON_DEPTH = 20
#: no text in the API is longer (each model sets its own, smaller, limits where it matters)
MAX_TEXT_LENGTH = 20_000


def _check_values(data: Any, path: str = "", depth: int = 0) -> dict[str, Any]:
    """Problems a JSON Schema does not catch: NaN/Infinity, NUL characters, depth, length."""
    name = path or "body"
    if depth > MAX_JSON_DEPTH:
        return {name: _l("This value is nested too deeply.")}
    if isinstance(data, float) and not math.isfinite(data):
        return {name: _l("Must be a finite number.")}
    if isinstance(data, str):
        if "\x00" in data:
            return {name: _l("This text holds a character that is not allowed.")}
        if len(data) > MAX_TEXT_LENGTH:
            return {name: _l("This text is too long.")}
        return {}
    problems: dict[str, Any] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else ()
    for key, value in items:
        problems.update(_check_values(value, f"{path}.{key}" if path else str(key), depth + 1))
        if problems:
            break
    return problems


def request_json() -> Any:
    """The request's JSON body (None when it is not JSON); too deep a nesting is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise ValidationFailed(_l("This value is nested too deeply.")) from None


def parse_model(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate input against a model; bad input becomes a 400 with a message per field."""
    if not isinstance(data, dict):
        raise ValidationFailed(_l("A JSON object is expected in the request body."))
    problems = _check_values(data)
    if problems:
        raise ValidationFailed(details=problems)
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationFailed(details=_field_errors(error)) from None


def current_api_user():
    """The user behind the request's bearer token (401 when missing or expired)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_l("Send a bearer token: Authorization: Bearer <token>."),
                           code="missing_token")
    user = user_for_api_token(token.strip())
    if user is None:
        raise Unauthorized(_l("This token is unknown, expired or revoked. Ask for a new one."),
                           code="invalid_token")
    if user.must_change_password:
        raise Forbidden(_l("Your password was reset: change it on the web page first."),
                        code="password_change_required")
    return user


def api_route(
    rule: str, *, methods: tuple[str, ...] = ("GET",), roles: Any, summary: str,
    body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
    response: Any = None, status: int = 200, tags: list[str] | None = None,
    media_types: tuple[str, ...] = ("application/json",),
) -> Callable:
    """Declare an API endpoint (added to an app by `register_api`). The handler is called as
    `handler(user, **path, body=, query=)`.

    `roles` is an iterable of roles, or None for a public endpoint. The handler returns a
    JSON-able value, a `(value, status)` pair, or a Response (a document: declare its
    `media_types`, e.g. `("application/pdf",)`).
    """
    allowed = None if roles is None else frozenset(roles)

    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        def view(**path_params):
            user = None
            if allowed is not None:
                user = current_api_user()
                g.api_user = user
                if user.role not in allowed:
                    raise Forbidden()
            def run() -> Response:
                extra = {}
                if body is not None:
                    extra["body"] = parse_model(body, request_json())
                if query is not None:
                    extra["query"] = parse_model(query, request.args.to_dict())
                return _as_response(handler(user, **path_params, **extra), status)

            key = request.headers.get(idempotency.HEADER)
            if key is not None and user is not None and request.method == "POST":
                return idempotency.run_once(user, key, run)
            return run()

        view.allowed_roles = "public" if allowed is None else allowed
        view.api_route = ApiRoute(
            rule=rule, methods=tuple(methods), roles=allowed, summary=summary, body=body,
            query=query, response=response, status=status, tags=tags or [],
            endpoint=handler.__name__,
            returns_list=response is list or (response is None and _returns_list(handler)),
            media_types=tuple(media_types), view=view,
        )
        return view

    return decorate


def _returns_list(handler: Callable) -> bool:
    """True when the handler's `return` statements give a list (`[...]` or `[...], code`),
    so that the document declares an array without each endpoint saying so."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(handler)))
    except (OSError, TypeError, SyntaxError):
        return False
    lists = (ast.List, ast.ListComp)
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Tuple) and value.elts:
                value = value.elts[0]
            if isinstance(value, lists):
                return True
    return False


def _query_schema(model: type[BaseModel], name: str) -> dict:
    """A query parameter's JSON schema from the pydantic model (null dropped: absent)."""
    prop = dict(model.model_json_schema()["properties"].get(name, {}))
    options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        prop.update(options[0])
    elif options:
        prop["anyOf"] = options
    prop.pop("title", None)
    prop.pop("default", None)
    return prop or {"type": "string"}


def _as_response(result: Any, status: int) -> Response:
    if isinstance(result, tuple):
        value, code = result
        response = jsonify(value)
        response.status_code = code
        return response
    if isinstance(result, dict | list):
        response = jsonify(result)
        response.status_code = status
        return response
    return result


#: the errors any operation may answer (mobility.core.errors and the rate limiter)
ERROR_RESPONSES = (
    (400, "Bad input"), (401, "Not signed in"), (403, "Role not allowed"), (404, "Not found"),
    (409, "Conflict with the record's state (double booking, duplicate, key in use)"),
    (422, "Rule not met, or an Idempotency-Key reused for another request"),
    (429, "Too many requests"), (503, "Database unavailable"),
)

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of every declared endpoint."""
    components: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "messages": {"type": "object", "properties": {
                    "fr": {"type": "string"}, "en": {"type": "string"}}},
                "details": {},
            }, "required": ["code", "message"]}},
            "required": ["error"],
        }
    }

    def schema_of(model: Any, many: bool = False) -> dict:
        if model is None or model is list:
            return {"type": "array", "items": {}} if many else {"type": "object"}
        if isinstance(model, dict):
            return model
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components[name] = definition
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for route in routes():
        path = "/api/v1" + _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", route.rule)
        parameters = [
            {"name": m.group(2), "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
             if m.group(1) == "int" else {"type": "string"}}
            for m in _CONVERTER.finditer(route.rule)
        ]
        if route.query is not None:
            for name, info in route.query.model_fields.items():
                parameters.append({
                    "name": name, "in": "query", "required": info.is_required(),
                    "schema": _query_schema(route.query, name),
                    "description": info.description or "",
                })
        for method in route.methods:
            operation: dict[str, Any] = {
                "summary": route.summary,
                "operationId": f"{route.endpoint}_{method.lower()}",
                "tags": route.tags,
                "parameters": parameters,
                "responses": {
                    str(route.status): {
                        "description": "OK",
                        "content": {
                            media: {"schema": schema_of(route.response, route.returns_list)
                                    if media == "application/json"
                                    else {"type": "string", "format": "binary"}}
                            for media in route.media_types},
                    },
                    **{
                        str(code): {"description": text, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}}}}
                        for code, text in ERROR_RESPONSES
                    },
                },
            }
            if route.roles is not None:
                operation["security"] = [{"bearerAuth": []}]
                operation["description"] = "Roles: " + ", ".join(sorted(route.roles))
            else:
                operation["security"] = []
            if route.body is not None:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": schema_of(route.body)}}}
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Plateforme mobilité API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def register_api(app: Flask, *modules: ModuleType) -> None:
    """Add the endpoints declared in these modules (`@api_route`), in their order."""
    app.extensions.setdefault("api_routes", []).extend(
        view.api_route for view in declared_in(modules, "api_route"))


def routes() -> list[ApiRoute]:
    """The current app's API endpoints, in declaration order."""
    return current_app.extensions.get("api_routes", [])


@public
def openapi_json():
    return openapi_document()


def init_app(app: Flask) -> None:
    """Mount every registered endpoint and the OpenAPI document under `/api/v1` (no CSRF: the
    API authenticates with bearer tokens, not cookies)."""
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    for route in app.extensions.get("api_routes", []):
        bp.add_url_rule(route.rule, endpoint=route.endpoint, view_func=route.view,
                        methods=list(route.methods))
    bp.add_url_rule("/openapi.json", endpoint="openapi_json", view_func=openapi_json)
    csrf.exempt(bp)
    app.register_blueprint(bp)
