"""The overdue queue's days-overdue filter stays within what the working-day calendar counts."""

import pytest

from supervision.selectors import MAX_DAYS_OVERDUE

QUEUE = "/api/v1/supervision/overdue/"


@pytest.mark.parametrize("days", [3650, MAX_DAYS_OVERDUE + 1, 10**12, -5, "abc", "²", "1e3"])
def test_queue_refuses_days_overdue_out_of_range(api_as, personas, days):
    response = api_as(personas.commissioner).get(QUEUE, {"days_overdue": days})
    assert response.status_code == 400
    assert "days_overdue" in response.json()


def test_queue_takes_the_largest_days_overdue(api_as, personas, overdue_item, now_overdue):
    response = api_as(personas.commissioner).get(QUEUE, {"days_overdue": MAX_DAYS_OVERDUE})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize("days", ["3650", "-1", "abc"])
def test_queue_page_shows_a_form_error_for_days_overdue_out_of_range(client, personas, days):
    client.force_login(personas.commissioner)
    response = client.get("/supervision/", {"days_overdue": days})
    assert response.status_code == 200
    assert "days_overdue" in response.context["form"].errors
