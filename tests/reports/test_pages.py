"""The assessment dashboard against every persona."""

import pytest
from django.urls import reverse

from tests.reports.helpers import at, build_quarter

pytestmark = pytest.mark.django_db

URL = "/reports/"
Q3 = {"year": 2026, "quarter": 3}

STATUS = {
    "secretary": 200,
    "leader": 200,
    "other_leader": 200,
    "cadre": 403,
    "other_cadre": 403,
    "commissioner": 200,
    "township_commissioner": 200,
    "other_commissioner": 200,
    "observer": 200,
    "admin": 200,
}
HEADING = {
    "secretary": "全镇考核看板",
    "observer": "全镇考核看板",
    "township_commissioner": "全镇考核看板",
    "admin": "全镇考核看板",
    "commissioner": "辖区考核看板",
    "leader": "本单位考核",
}


def page(client, user, params=None):
    client.force_login(user)
    return client.get(URL, params or Q3)


def test_url_is_the_reports_root():
    assert reverse("reports:dashboard") == URL


@pytest.mark.parametrize("persona", sorted(STATUS))
def test_dashboard_status_by_persona(client, personas, persona):
    assert page(client, getattr(personas, persona)).status_code == STATUS[persona]


@pytest.mark.parametrize("persona", sorted(HEADING))
def test_dashboard_heading_fits_the_role(client, personas, persona):
    assert HEADING[persona] in page(client, getattr(personas, persona)).content.decode()


def test_anonymous_is_sent_to_login(client, township):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_ranking_table_shows_the_score(client, personas):
    build_quarter(personas)
    row = next(r for r in page(client, personas.secretary).context["units"] if r.unit == personas.branch)
    assert (row.rank, str(row.score)) == (1, "45.00")


def test_leader_sees_only_their_units(client, personas):
    units = page(client, personas.leader).context["units"]
    assert [r.unit for r in units] == [personas.branch]


def test_commissioner_sees_the_supervision_section(client, personas):
    build_quarter(personas)
    content = page(client, personas.commissioner).content.decode()
    assert 'id="supervision"' in content and "黄牌" in content


def test_leader_has_no_supervision_section(client, personas):
    assert 'id="supervision"' not in page(client, personas.leader).content.decode()


def test_cards_per_unit_count_the_yellow_card(client, personas):
    build_quarter(personas)
    rows = page(client, personas.commissioner).context["supervision"]
    assert [(r["unit"], r["yellow"], r["red"], r["open"]) for r in rows] == [(personas.branch.name, 1, 0, 1)]


def test_every_chart_ships_its_numbers_as_json_and_a_table(client, personas):
    content = page(client, personas.observer).content.decode()
    canvases = content.count("<canvas")
    # five charts (Party building's among them), each followed by its table; plus roll-up, overdue
    # items, overdue by unit, members
    assert (canvases, content.count('id="chart-data"'), content.count("<table")) == (5, 1, 9)


def test_charting_library_is_served_locally(client, personas):
    content = page(client, personas.secretary).content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in content and "cdn" not in content.lower()


def test_trend_covers_six_months(client, personas, time_machine):
    time_machine.move_to(at(9, 30))
    build_quarter(personas)
    trend = page(client, personas.secretary).context["trend"]
    august = next(t for t in trend if t["month"] == "2026-08")
    assert (len(trend), august["due"], august["on_time"], august["rate"]) == (6, 1, 1, 100.0)


def test_top_overdue_lists_the_late_item(client, personas, time_machine):
    quarter = build_quarter(personas)
    time_machine.move_to(at(10, 9))
    assert list(page(client, personas.secretary).context["top_overdue"]) == [quarter.late]


@pytest.mark.parametrize("params", [{"year": "abc", "quarter": 1}, {"year": 2026, "quarter": 7}])
def test_bad_period_redisplays_the_form_with_errors_and_input(client, personas, params):
    response = page(client, personas.secretary, params)
    form = response.context["form"]
    assert (response.status_code, bool(form.errors), form.data["year"]) == (200, True, str(params["year"]))


def test_page_query_count_is_bounded(client, personas, django_assert_max_num_queries):
    build_quarter(personas)
    client.force_login(personas.secretary)
    # + Party building's figures (required parts, activities, visits, pairings, honours, weights), leaders'
    # late verifications (and, as some leader verified late, their memberships)
    with django_assert_max_num_queries(34):
        client.get(URL, Q3)


def test_home_links_the_dashboard_for_a_leader(client, personas):
    client.force_login(personas.leader)
    assert URL in client.get(reverse("home")).content.decode()


def test_home_has_no_dashboard_link_for_a_cadre(client, personas):
    client.force_login(personas.cadre)
    assert 'href="/reports/"' not in client.get(reverse("home")).content.decode()


def test_assessment_workbook_downloads_with_the_session(client, personas):
    client.force_login(personas.leader)
    response = client.get("/api/v1/reports/quarterly.xlsx", Q3)
    assert (response.status_code, response["Content-Type"].endswith("spreadsheetml.sheet")) == (200, True)


def test_dashboard_tables_export_as_a_workbook(client, personas):
    import io

    from openpyxl import load_workbook

    build_quarter(personas)
    client.force_login(personas.commissioner)
    wb = load_workbook(io.BytesIO(client.get(reverse("reports:dashboard-xlsx"), Q3).content))
    supervision = wb["各单位督办情况"]
    assert (wb.sheetnames[0], [c.value for c in supervision[2]]) == (
        "按月按时办结率",
        [personas.branch.name, 1, 0, 1, 0],
    )


def test_dashboard_workbook_is_forbidden_to_a_cadre(client, personas):
    client.force_login(personas.cadre)
    assert client.get(reverse("reports:dashboard-xlsx"), Q3).status_code == 403


SCHEME_FORM = {
    "year": 2027, "accept_within_working_days": 1, "weight_on_time_acceptance": 30,
    "weight_on_time_completion": 50, "weight_pledge_fulfilment": 20, "deduction_per_overdue_item": 2,
    "deduction_per_overdue_working_day": 0, "deduction_per_yellow_card": 3, "deduction_per_red_card": 5,
    "veto_on_red_card": "on", "veto_overdue_items": 0, "member_base_points": 60,
    "member_points_per_on_time_item": 5, "member_points_per_pledge_fulfilled": 5,
    "member_points_per_overdue_item": 5, "member_points_per_card": 10, "grade_excellent_min": 90,
    "grade_qualified_min": 70, "grade_basic_min": 60, "collective_top_n": 3, "collective_min_score": 90,
    "pioneer_top_n": 5, "pioneer_min_points": 90, "weight_frequency_met": 0, "weight_required_parts": 0,
    "weight_attendance": 0, "weight_visit_coverage": 0,
}  # fmt: skip


def test_admin_edits_the_scoring_scheme(client, personas):
    from reports.models import ScoringScheme

    client.force_login(personas.admin)
    response = client.post("/admin/reports/scoringscheme/add/", SCHEME_FORM)
    assert (response.status_code, ScoringScheme.objects.get(year=2027).weight_on_time_acceptance) == (302, 30)


def test_admin_refuses_weights_not_adding_up_to_100(client, personas):
    client.force_login(personas.admin)
    response = client.post("/admin/reports/scoringscheme/add/", {**SCHEME_FORM, "weight_on_time_acceptance": 40})
    assert "各项权重之和须为100" in response.content.decode()


def test_a_unit_with_nothing_due_is_not_scored_nor_ranked(township):
    from collections import Counter
    from decimal import Decimal

    from reports.models import ScoringScheme
    from reports.selectors import UnitRow, score_unit

    scheme = ScoringScheme.for_year(2026)
    rates = {
        "on_time_acceptance_rate": None,
        "on_time_completion_rate": None,
        "pledge_fulfilment_rate": Decimal("0.3333"),
    }
    row = UnitRow(unit=township.branch, level="unit", counts=Counter(items_due=0), rates=rates)
    score_unit(row, scheme)
    assert row.score is None


def test_the_dashboard_explains_the_unranked_units(client, personas):
    body = page(client, personas.secretary).content.decode()
    assert "不参加排名" in body


@pytest.mark.parametrize("persona", ["secretary", "b_secretary"])
def test_the_members_table_is_paged(client, personas, persona):
    first = page(client, getattr(personas, persona)).context["persons"]
    assert len(first.object_list) <= 20
    if first.has_next():
        second = page(client, getattr(personas, persona), {**Q3, "members": 2}).context["persons"]
        assert second.number == 2 and {p.name for p in second.object_list}.isdisjoint(
            {p.name for p in first.object_list}
        )
