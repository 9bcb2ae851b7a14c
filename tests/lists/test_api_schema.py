"""The OpenAPI schema documents every list, item, extension and inbox endpoint, without warnings."""

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_schema_generates_without_warnings_for_the_list_endpoints():
    GENERATOR_STATS.reset()
    GENERATOR_STATS.silent = True
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    finally:
        GENERATOR_STATS.silent = False
    ours = [p for p in problems if any(w in p for w in ("lists", "ListViewSet", "ItemViewSet", "Extension", "Inbox"))]
    assert ours == []
    paths = schema["paths"]
    for path in (
        "/api/v1/lists/",
        "/api/v1/lists/{id}/transitions/{name}/",
        "/api/v1/items/",
        "/api/v1/items/{id}/",
        "/api/v1/items/{id}/transitions/",
        "/api/v1/items/{id}/history/",
        "/api/v1/extensions/",
        "/api/v1/inbox/",
    ):
        assert path in paths, path


def test_schema_endpoint_serves_the_item_filters(admin_client):
    response = admin_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    parameters = {p["name"] for p in response.json()["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert {"assignee", "state", "list", "unit", "warning_level", "overdue", "page"} <= parameters
