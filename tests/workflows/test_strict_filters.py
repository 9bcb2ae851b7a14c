import pytest


@pytest.mark.django_db
def test_empty_filter_value_is_400_naming_the_parameter(personas, api_as):
    response = api_as(personas.commissioner).get("/api/v1/supervision-cases/?state=")
    assert response.status_code == 400
    assert "state" in response.json()


@pytest.mark.django_db
def test_non_integer_value_for_an_integer_filter_is_400(personas, api_as):
    response = api_as(personas.cadre).get("/api/v1/pledges/?year=0.5")
    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.django_db
def test_valid_integer_filter_still_filters(personas, api_as):
    response = api_as(personas.cadre).get("/api/v1/pledges/?year=2026")
    assert response.status_code == 200
