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


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["null", "maybe", "yes-ish"])
def test_boolean_filter_accepts_only_true_or_false(personas, api_as, value):
    response = api_as(personas.cadre).get(f"/api/v1/items/?overdue={value}")
    assert response.status_code == 400
    assert "overdue" in response.json()


@pytest.mark.django_db
def test_boolean_filter_true_still_filters(personas, api_as):
    assert api_as(personas.cadre).get("/api/v1/items/?overdue=true").status_code == 200
