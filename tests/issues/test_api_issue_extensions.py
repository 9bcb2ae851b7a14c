"""Extension requests on work orders go through extensions/ like those on items (API.md)."""

import datetime as dt

import pytest

from lists.models import ExtensionRequest

from .issue_fixtures import issue_in_state, people_fixture  # noqa: F401


@pytest.fixture
def working_issue(people):
    return issue_in_state(people, "in_progress")


def _request(api_as, user, issue, days=3):
    return api_as(user).post(
        "/api/v1/extensions/",
        {
            "issue": issue.pk,
            "new_due_at": (issue.due_at + dt.timedelta(days=days)).isoformat(),
            "reason": "需协调水利站",
        },
        format="json",
    )


def test_handler_requests_and_dispatcher_approves_an_issue_extension(people, api_as, working_issue):
    response = _request(api_as, people.handler, working_issue)
    assert response.status_code == 201, response.json()
    assert response.json()["issue"] == working_issue.pk
    extension_id = response.json()["id"]
    approved = api_as(people.dispatcher).post(
        f"/api/v1/extensions/{extension_id}/transitions/approve/", {}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    working_issue.refresh_from_db()
    assert working_issue.due_at > working_issue.original_due_at


def test_someone_other_than_the_handler_cannot_request(people, api_as, working_issue):
    response = _request(api_as, people.dispatcher, working_issue)
    assert response.status_code == 403
    assert not ExtensionRequest.objects.exists()


def test_item_and_issue_together_is_400(people, api_as, working_issue):
    response = api_as(people.handler).post(
        "/api/v1/extensions/",
        {"issue": working_issue.pk, "item": 1, "new_due_at": "2027-01-05T10:00:00+08:00", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400


def test_neither_item_nor_issue_is_400_naming_both(people, api_as):
    response = api_as(people.handler).post(
        "/api/v1/extensions/", {"new_due_at": "2027-01-05T10:00:00+08:00", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert {"item", "issue"} <= set(response.json())


def test_extension_beyond_ten_working_days_is_refused(people, api_as, working_issue):
    response = _request(api_as, people.handler, working_issue, days=40)
    assert response.status_code in (400, 409)
    assert not ExtensionRequest.objects.filter(state="pending").exists()
