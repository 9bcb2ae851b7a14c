"""Every API answer a test receives is checked against ``/api/schema/`` (openapi-core).

``tests/conftest.py`` wraps Django's test client (and so DRF's ``APIClient``, built on it) for
the whole suite: a response to a ``/api/`` request whose status, content type or body the
document does not describe fails the test that received it, where the drift was made. Fix the
serializer or its ``extend_schema``; never loosen the check. A test that probes the HTTP layer
itself (an unknown method, a malformed Accept header) is marked ``off_contract`` with its reason.
"""

from __future__ import annotations

import json
from functools import cache

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.testing import MockRequest, MockResponse

API_PREFIX = "/api/v1/"
HOST = "http://testserver"
#: Answers of the HTTP layer, not of an operation: no document lists them.
HTTP_LAYER_STATUSES = {405, 406, 415}


class ContractViolation(AssertionError):
    """An API answer the document does not describe."""


@cache
def document() -> dict:
    """The document as ``/api/schema/`` serves it, as plain JSON types."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(document())


def check_response(response) -> None:
    """Raise ``ContractViolation`` when ``response`` (from the test client) breaks the document."""
    request = getattr(response, "wsgi_request", None)
    if request is None or not request.path.startswith(API_PREFIX):
        return
    if response.status_code in HTTP_LAYER_STATUSES:
        return
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.streaming:
        response.streaming_content = [content]
    openapi_request = MockRequest(
        HOST,
        request.method,
        request.path,
        args=dict(request.GET.lists()),
        headers=dict(request.headers),
        content_type=request.content_type or "application/json",
    )
    media_type = response.get("Content-Type", "")
    # JSON Schema describes a binary body (a workbook) as a string: its media type and status are
    # checked, its bytes are not.
    data = content if "json" in media_type or not content else "binary"
    openapi_response = MockResponse(
        data,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.get("Content-Type", ""),
    )
    errors = list(_openapi().iter_response_errors(openapi_request, openapi_response))
    if not errors:
        return
    if response.status_code == 404 and all(isinstance(e, PathNotFound) for e in errors):
        return  # a URL the API does not have: Django's 404, no operation's
    body = content[:2000].decode(errors="replace")
    details = "; ".join(_describe(error) for error in errors)
    raise ContractViolation(
        f"{request.method} {request.get_full_path()} → {response.status_code} breaks /api/schema/: {details}\n"
        f"body: {body}"
    )


def _describe(error: Exception) -> str:
    causes = [error]
    cause = error.__cause__
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__
    parts = []
    for cause in causes:
        inner = getattr(cause, "schema_errors", None)
        if inner:
            parts.extend(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in inner)
        else:
            parts.append(f"{type(cause).__name__}: {cause}")
    return " | ".join(parts)
