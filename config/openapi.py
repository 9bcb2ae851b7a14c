"""OpenAPI post-processing: the error answers every endpoint of the contract may give.

API.md fixes them for the whole API (400 with field errors for a bad body, 401 without
credentials, 403 visible but not allowed, 404 outside the caller's scope, 409 for a
transition not allowed now), so they are documented once here instead of on every view.
A view that documents a status itself keeps its own description.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """A field a client must send may still be null on rows made otherwise (an item generated from
    a template without a default assignee): a serializer names such fields in
    ``Meta.null_in_answers``, and the answer's schema says they can be null."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        parent_meta = getattr(getattr(field, "parent", None), "Meta", None)
        if direction == "response" and getattr(field, "field_name", None) in getattr(
            parent_meta, "null_in_answers", ()
        ):
            meta["nullable"] = True
        return meta


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors) → messages.",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]},
}
WRITE_METHODS = {"post", "put", "patch"}


#: The resources whose writes can meet an object in the wrong state (409).
STATEFUL = ("lists", "items", "extensions", "pledges", "livelihood-issues", "supervision-cases")
PAGE = {
    "type": "object",
    "description": "One page of a list (PageNumberPagination; `?page=N`, 50 rows a page). "
    "Every list answer is a page: these fields and `results`.",
    "properties": {
        "count": {"type": "integer", "description": "Rows on all pages.", "example": 123},
        "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, or null on the last."},
        "previous": {"type": ["string", "null"], "format": "uri", "description": "The previous page, or null."},
    },
    "required": ["count", "next", "previous"],
}


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def add_error_responses(result, generator, request, public):
    """``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`` entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = {}
            security = operation.get("security") or []
            if security and {} not in security:
                errors["401"] = _response("Not authenticated.", "Error")
                errors["403"] = _response("Visible, but not allowed to the caller.", "Error")
            paginated = any(p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or paginated:
                errors["404"] = _response("Not found, or outside the caller's scope.", "Error")
            if method in WRITE_METHODS and "requestBody" in operation:
                errors["400"] = _response("Invalid input: messages per field.", "FieldErrors")
            elif any(p.get("in") == "query" and p.get("name") != "page" for p in operation.get("parameters", [])):
                errors["400"] = _response("Invalid filter value: messages per parameter.", "FieldErrors")
            if "/transitions/" in path and method == "post":
                errors["409"] = _response("Not allowed from the current state, or changed underneath.", "Error")
            elif method in WRITE_METHODS | {"delete"} and path.split("/")[3:4] and path.split("/")[3] in STATEFUL:
                errors["409"] = _response("Not allowed in the object's current state (a draft only, …).", "Error")
            for status, response in errors.items():
                responses.setdefault(status, response)
    return result


def _paginated_once(schemas: dict) -> None:
    """Each ``Paginated<X>List`` is the one ``Page`` plus its ``results``."""
    schemas["Page"] = PAGE
    for name, schema in list(schemas.items()):
        if not (name.startswith("Paginated") and name.endswith("List")):
            continue
        properties = schema.get("properties", {})
        if set(properties) != {"count", "next", "previous", "results"}:
            continue
        schemas[name] = {
            "allOf": [
                {"$ref": "#/components/schemas/Page"},
                {"type": "object", "properties": {"results": properties["results"]}, "required": ["results"]},
            ]
        }


def _drop_titles(schema: dict) -> None:
    schema.pop("title", None)
    if isinstance(schema.get("items"), dict):
        _drop_titles(schema["items"])


def _model_of(view_class):
    view = view_class()
    view.action, view.swagger_fake_view, view.request, view.kwargs = "retrieve", True, None, {}
    return view.get_serializer_class().Meta.model


def split_transitions(result, generator, request, public):
    """``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`` entry, after ``add_error_responses``.

    ``POST <resource>/{id}/transitions/{name}/`` becomes one operation per transition, each with
    the body that transition takes (API.md's table): a generated client gets ``items_submit(id,
    body=SubmitInputRequest(result=...))`` instead of one call whose body is any of them.
    """
    from django.urls import resolve

    from workflows.api import CommentInputSerializer
    from workflows.engine import api_transitions

    schemas = result["components"]["schemas"]
    paths = {}
    for path, operations in result["paths"].items():
        if not path.endswith("/transitions/{name}/"):
            paths[path] = operations
            continue
        generic = operations["post"]
        view_class = resolve(path.replace("{id}", "0").replace("{name}", "x")).func.cls
        schemas.pop(f"{view_class.__name__}TransitionInputRequest", None)
        resource = path.split("/")[3]
        for name, info in sorted(api_transitions(_model_of(view_class)).items()):
            serializer = view_class.transition_inputs.get(name, CommentInputSerializer)
            component = serializer.__name__.removesuffix("Serializer") + "Request"
            if component not in schemas:
                raise KeyError(f"{path} {name}: no component {component}")
            operation = {key: value for key, value in generic.items() if key not in ("requestBody", "description")}
            operation["parameters"] = [p for p in generic.get("parameters", []) if p.get("name") != "name"]
            operation["operationId"] = f"{resource.replace('-', '_')}_{name}"
            operation["summary"] = f"{name} ({info.label}) → {info.target}"
            operation["description"] = (
                f"Take the transition `{name}` ({info.label}); the object moves to `{info.target}`. "
                "200 and the object; 400 field errors; 403 visible but not yours to take; 404 outside "
                "your scope; 409 not allowed from the current state."
            )
            operation["requestBody"] = {
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                "required": bool(schemas[component].get("required")),
            }
            paths[path.replace("{name}", name)] = {"post": operation}
    result["paths"] = paths
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                # A verbose name as a title would name the generated clients' enum classes.
                _drop_titles(parameter.get("schema", {}))
    _paginated_once(schemas)
    return result
