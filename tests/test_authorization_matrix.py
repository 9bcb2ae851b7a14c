"""Every page and API endpoint against every persona, generated from the URL configuration.

The rows are data in ``tests/matrix.py``; a URL name without a row or an exemption fails here.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from organization.models import User
from organization.tokens import token_issue
from tests.matrix import EXEMPT_NAMES, EXEMPT_NAMESPACES, MATRIX, OTHER_TOWNSHIP, PERSONAS, expect


def walk(patterns, namespace="", route=""):
    """(namespace prefix, URL name with namespaces or None, route) for every pattern, recursively."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield namespace, name, route + str(pattern.pattern)


def covered(namespace: str, name: str | None) -> bool:
    top = namespace.split(":", 1)[0]
    return top in EXEMPT_NAMESPACES or name in MATRIX or name in EXEMPT_NAMES


ROUTES = list(walk(get_resolver().url_patterns))
CASES = [(name, index) for name, cases in MATRIX.items() for index in range(len(cases))]


def test_every_url_has_a_matrix_row():
    missing = sorted({name or f"<unnamed: {route}>" for ns, name, route in ROUTES if not covered(ns, name)})
    assert missing == [], "add these URL names to tests/matrix.py (MATRIX or an exemption)"


def test_an_unlisted_url_would_fail():
    assert not covered("", "an-endpoint-nobody-listed")
    assert not covered("reports:", "reports:a-page-nobody-listed")


def test_every_matrix_row_names_a_real_url():
    names = {name for _, name, _ in ROUTES}
    assert sorted(set(MATRIX) - names) == []


def test_every_case_expects_every_persona():
    incomplete = [(name, index) for name, index in CASES if set(MATRIX[name][index].expect) != set(PERSONAS)]
    assert incomplete == []


def test_a_row_must_say_what_the_other_township_gets():
    """The other township's personas are never defaulted: a row without ``township=`` fails."""
    with pytest.raises(TypeError):
        expect(200, anonymous=302)
    assert set(OTHER_TOWNSHIP) <= set(PERSONAS)
    assert expect(200, township=404, b_leader=200) == {
        **{persona: 200 for persona in PERSONAS},
        "b_secretary": 404,
        "b_cadre": 404,
        "b_commissioner": 404,
        "b_office": 404,
    }
    # The township offices get what a cadre of another branch gets unless a row names them.
    assert expect(200, township=404, other_cadre=404)["office"] == 404
    assert expect(200, township=404, office=403)["office"] == 403


def test_subjects_of_the_other_township_have_rows():
    """The rows the other way round: 白水镇's items, issues, pledges, cases and board export."""
    factories = {getattr(case.subject, "__name__", "") for cases in MATRIX.values() for case in cases if case.subject}
    assert {
        "b_published_item",
        "b_dispatched_issue",
        "b_submitted_pledge",
        "b_supervision_case",
        "b_own_branch",
    } <= factories
    assert any(
        case.subject and case.subject.__name__ == "b_own_branch" for case in MATRIX["pledges:pledge-board-export"]
    )


def client_for(kind: str, user):
    if kind == "api":
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}-{MATRIX[n][i].method}-{i}" for n, i in CASES])
def test_access_matches_the_matrix(township, name, index):
    case = MATRIX[name][index]
    subject = case.subject(township) if case.subject else None
    url = reverse(name, kwargs=case.kwargs(subject) if subject is not None else None)
    got = {}
    for persona, username in PERSONAS.items():
        user = User.objects.get(username=username) if username else None
        client = client_for(case.kind, user)
        body = case.body(user, subject) if case.body else None
        if case.kind == "api" and body is not None:
            response = getattr(client, case.method)(url, body, format="json")
        elif body is not None:
            response = getattr(client, case.method)(url, body)
        else:
            response = getattr(client, case.method)(url)
        got[persona] = response.status_code
    assert got == dict(case.expect), f"{case.method.upper()} {url}"


def test_anonymous_page_redirects_to_login(township):
    response = Client().get(reverse("home"))
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_api_gets_a_token_challenge(township):
    response = APIClient().get(reverse("api-me"))
    assert response["WWW-Authenticate"] == "Token"
