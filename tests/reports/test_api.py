import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organization.models import Unit
from tests.reports.helpers import build_quarter, business_scheme

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/quarterly/"
XLSX_URL = "/api/v1/reports/quarterly.xlsx"
Q3 = {"year": 2026, "quarter": 3}


def unit_names(response):
    return {u["name"] for u in response.json()["units"]}


def test_urls_match_the_contract():
    assert (reverse("reports-quarterly"), reverse("reports-quarterly-xlsx")) == (URL, XLSX_URL)


def test_secretary_sees_every_unit_with_figures_score_and_rank(personas, api_as):
    build_quarter(personas)
    body = api_as(personas.secretary).get(URL, Q3).json()
    branch = next(u for u in body["units"] if u["id"] == personas.branch.pk)
    assert (len(body["units"]), branch["figures"]["items_due"], branch["score"], branch["rank"]) == (
        qingshan_units(),
        2,
        45.0,
        1,
    )


def test_persons_carry_points_and_grade(personas, api_as):
    build_quarter(personas)
    body = api_as(personas.secretary).get(URL, Q3).json()
    cadre = next(p for p in body["persons"] if p["id"] == personas.cadre.pk)
    assert (cadre["points"], cadre["grade"]) == (65.0, "basic")


def test_candidates_are_listed(personas, api_as):

    business_scheme(collective_min_score=40, pioneer_min_points=65)
    build_quarter(personas)
    body = api_as(personas.secretary).get(URL, Q3).json()
    assert body["candidates"] == {"collectives": [personas.branch.pk], "pioneers": [personas.cadre.pk]}


def test_leader_sees_only_their_units(personas, api_as):
    response = api_as(personas.leader).get(URL, Q3)
    assert unit_names(response) == {personas.branch.name}


def test_leader_sees_only_their_cadres(personas, api_as):
    body = api_as(personas.leader).get(URL, Q3).json()
    assert {p["unit"] for p in body["persons"]} == {personas.branch.pk}


def test_district_commissioner_sees_their_jurisdiction(personas, api_as):
    body = api_as(personas.commissioner).get(URL, Q3).json()
    branches = {u["name"] for u in body["units"] if u["kind"] == "branch"}
    assert (personas.branch.name in branches, personas.far_branch.name in branches, len(branches)) == (True, False, 6)


def test_township_commissioner_sees_the_whole_township(personas, api_as):
    assert len(api_as(personas.township_commissioner).get(URL, Q3).json()["units"]) == qingshan_units()


def test_observer_sees_the_whole_township(personas, api_as):
    assert len(api_as(personas.observer).get(URL, Q3).json()["units"]) == qingshan_units()


def test_cadre_is_forbidden(personas, api_as):
    assert api_as(personas.cadre).get(URL, Q3).status_code == 403


def test_outsider_is_forbidden(personas, api_as):
    assert api_as(personas.outsider()).get(URL, Q3).status_code == 403


def test_anonymous_gets_401(api, township):
    assert api.get(URL, Q3).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc", "quarter": 1}, "year"),
        ({"year": 2026, "quarter": 5}, "quarter"),
        ({"year": 2026, "quarter": 0}, "quarter"),
        ({"year": 1999, "quarter": 1}, "year"),
        ({"year": "", "quarter": 1}, "year"),
    ],
)
def test_bad_parameters_give_400_with_field_messages(personas, api_as, params, field):
    response = api_as(personas.secretary).get(URL, params)
    assert (response.status_code, field in response.json()) == (400, True)


def test_bad_parameters_on_the_workbook_give_400(personas, api_as):
    assert api_as(personas.secretary).get(XLSX_URL, {"year": 2026, "quarter": 9}).status_code == 400


def test_quarter_defaults_to_the_current_one(personas, api_as):
    body = api_as(personas.secretary).get(URL).json()
    assert body["quarter"] in (1, 2, 3, 4)


def test_query_count_is_bounded_independent_of_items(personas, api_as, django_assert_max_num_queries):
    build_quarter(personas)
    client = api_as(personas.secretary)
    # 7 of them are Party building's: required parts, activities held, visits, pairings, 三会一课
    # obligations, findings accepted, honours; 1 the townships' own scoring schemes.
    with django_assert_max_num_queries(25):
        client.get(URL, Q3)


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def test_workbook_has_a_sheet_per_level(personas, api_as):
    response = api_as(personas.secretary).get(XLSX_URL, Q3)
    assert [ws.title for ws in workbook(response).worksheets] == [
        "支部 2026Q3",
        "片区与全镇 2026Q3",
        "党员 2026Q3",
        "评分权重 2026Q3",
    ]


def test_workbook_headers_are_chinese_and_frozen(personas, api_as):
    ws = workbook(api_as(personas.secretary).get(XLSX_URL, Q3)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert (headers[:3], headers[15], ws.freeze_panes) == (["排名", "单位", "到期事项"], "得分", "C2")
    # Party building's columns come last, after the business figures and the score.
    assert headers[-6:] == [
        "开展组织生活次数",
        "规定动作完成率",
        "出勤率",
        "走访覆盖",
        "三会一课按频次召开率",
        "观察员发现被受理数",
    ]


def test_workbook_rows_hold_the_figures(personas, api_as):
    build_quarter(personas)
    ws = workbook(api_as(personas.secretary).get(XLSX_URL, Q3)).worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == personas.branch.name)
    assert (row[0], row[2], row[5], row[15]) == (1, 2, 1, 45.0)


def test_workbook_is_served_as_an_attachment(personas, api_as):
    response = api_as(personas.secretary).get(XLSX_URL, Q3)
    assert response["Content-Disposition"] == 'attachment; filename="quarterly-2026Q3.xlsx"'


def test_workbook_for_a_leader_holds_only_their_units(personas, api_as):
    ws = workbook(api_as(personas.leader).get(XLSX_URL, Q3)).worksheets[0]
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [personas.branch.name]


def test_unknown_workbook_format_gives_400(personas, api_as):
    response = api_as(personas.secretary).get(XLSX_URL, {**Q3, "format": "pdf"})
    assert (response.status_code, "format" in response.json()) == (400, True)


def test_workbook_answers_an_xlsx_accept_header(personas, api_as):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = api_as(personas.secretary).get(XLSX_URL, Q3, HTTP_ACCEPT=xlsx)
    assert (response.status_code, response["Content-Type"]) == (200, xlsx)


def test_query_count_is_the_same_with_more_items(personas, api_as):
    import datetime as dt

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lists import services
    from tests.reports.helpers import at

    build_quarter(personas)
    client = api_as(personas.secretary)
    client.get(URL, Q3)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, Q3)
    with time_machine.travel(at(8, 3), tick=False):
        lst = services.list_create(
            unit=personas.other_branch, month=dt.date(2026, 8, 1), title="8月", actor=personas.other_leader
        )
        for n in range(12):
            services.item_create(
                lst=lst, actor=personas.other_leader, title=f"事项{n}", standard="完成", assignee=personas.other_cadre,
                lead_leader=personas.other_leader, due_at=at(9, 1 + n, 18),
            )  # fmt: skip
        services.list_publish(lst=lst, actor=personas.other_leader)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, Q3)
    assert len(many.captured_queries) == len(few.captured_queries)


def qingshan_units() -> int:
    """青山镇's units (白水镇, the neighbouring township, is none of its people's business)."""
    return Unit.objects.get(code="township").subtree().count()
