"""OpenAPI post-processing: the error answers every endpoint of the contract may give.

API.md fixes them for the whole API (400 with field errors for a bad body, 401 without
credentials, 403 visible but not allowed, 404 outside the caller's scope, 409 for a
transition not allowed now), so they are documented once here instead of on every view.
A view that documents a status itself keeps its own description.
"""

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
            for status, response in errors.items():
                responses.setdefault(status, response)
    return result
