"""The quarterly assessment's ``party_building`` figures per unit (API, Excel, dashboard)."""

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from organization.models import AdministrativeChange, Pairing
from partylife import services
from reports.models import ScoringScheme
from reports.selectors import UnitRow, quarterly_assessment, score_unit

ALL_PARTS = ["oath", "study", "discipline_lesson", "dues", "deliberation"]


def held_activity(personas):
    activity = services.activity_create(
        actor=personas.leader,
        unit=personas.branch,
        kind="theme_party_day",
        title="主题党日",
        scheduled_at=timezone.now() - dt.timedelta(minutes=10),
    )
    services.activity_check_in(activity=activity, actor=personas.cadre)
    return services.activity_record(
        activity=activity,
        actor=personas.leader,
        minutes="纪要",
        parts=ALL_PARTS,
        absentees=[{"user": personas.colleague, "reason": "病假"}],
    )


def test_branch_row_carries_party_building(personas, api_as):
    held_activity(personas)
    pairing = Pairing.objects.filter(branch=personas.branch).select_related("partner").first()
    services.visit_create(
        visitor=personas.cadre, unit=pairing.partner, branch=personas.branch, visited_on=timezone.localdate(), notes="n"
    )
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    body = api_as(personas.secretary).get(f"/api/v1/reports/quarterly/?year={today.year}&quarter={quarter}").json()
    rows = {row["id"]: row for row in body["units"]}
    figures = rows[personas.branch.pk]["party_building"]
    paired = Pairing.objects.filter(branch=personas.branch).count()
    assert figures == {
        "activities_held": 1,
        "required_parts_complete": 1.0,
        "attendance_rate": 0.5,
        "visit_coverage": round(1 / paired, 4),
        "frequency_met": None,
        "findings_accepted": 0,
    }
    assert rows[personas.other_branch.pk]["party_building"]["activities_held"] == 0
    assert rows[personas.other_branch.pk]["party_building"]["attendance_rate"] is None
    township = next(r for r in body["units"] if r["kind"] == "township" and r["name"] == "青山镇")
    assert township["party_building"]["activities_held"] == 1


# -- Party building weighs in the score -------------------------------------------------------

BUSINESS = {
    "on_time_acceptance_rate": Decimal(1),
    "on_time_completion_rate": Decimal(1),
    "pledge_fulfilment_rate": None,
}
PARTY = ("frequency_met", "required_parts_complete", "attendance_rate", "visit_coverage")


def scored(rates: dict, scheme: ScoringScheme, unit) -> UnitRow:
    row = UnitRow(unit=unit, level="unit", counts=Counter({"items_due": 2}), rates=rates)
    score_unit(row, scheme)
    return row


def test_the_default_scheme_gives_party_building_a_fifth_of_the_score(personas):
    scheme = ScoringScheme(year=2026)
    scheme.clean()  # the weights add up to 100
    assert scheme.weights_total == 100
    assert [scheme.weight_frequency_met, scheme.weight_required_parts, scheme.weight_attendance] == [5, 5, 5]
    assert scheme.weight_visit_coverage == 5


def test_party_building_figures_move_the_score(personas):
    scheme = ScoringScheme(year=2026)
    perfect_business = scored({**BUSINESS, **dict.fromkeys(PARTY)}, scheme, personas.branch)
    # No Party-building figure to rate: the business weights share the 100 points as before.
    assert perfect_business.score == Decimal("100.00")
    nothing_held = scored({**BUSINESS, **dict.fromkeys(PARTY, Decimal(0))}, scheme, personas.branch)
    # 16 + 48 of the 84 points in play (no pledge due): 100 × 64 / 84
    assert nothing_held.score == Decimal("76.19")
    half_visited = scored({**BUSINESS, "visit_coverage": Decimal("0.5")}, scheme, personas.branch)
    # 16 + 48 on business (pledges nothing due) and 5 on visits: 100 × (64 + 2.5) / 69
    assert half_visited.score == Decimal("96.38")


def test_an_office_weighs_its_own_township_only(personas):
    qingshan, baishui = personas.unit("township"), personas.unit("bs-township")
    ScoringScheme.objects.create(
        year=2026, township=qingshan, weight_on_time_acceptance=10, weight_on_time_completion=40,
        weight_pledge_fulfilment=10, weight_frequency_met=10, weight_required_parts=10, weight_attendance=10,
        weight_visit_coverage=10,
    )  # fmt: skip
    assert ScoringScheme.for_year(2026, township=qingshan).weight_visit_coverage == 10
    assert ScoringScheme.for_year(2026, township=baishui).weight_visit_coverage == 5
    assessment = quarterly_assessment(year=2026, quarter=4)
    assert assessment.schemes[qingshan.pk].weight_visit_coverage == 10
    assert assessment.schemes[baishui.pk].pk is None  # the built-in defaults


@pytest.mark.parametrize("who", ["secretary", "b_secretary"])
def test_the_quarterly_answer_names_every_weight(personas, api_as, who):
    body = api_as(getattr(personas, who)).get("/api/v1/reports/quarterly/?year=2026&quarter=4").json()
    assert body["weights"]["visit_coverage"] == "5.00"
    assert set(PARTY) <= set(body["weights"])


def test_the_workbook_carries_the_figures_and_the_weights(personas, api_as):
    response = api_as(personas.secretary).get("/api/v1/reports/quarterly.xlsx?year=2026&quarter=4")
    book = load_workbook(io.BytesIO(response.content))
    branches, weights = book.worksheets[0], book.worksheets[-1]
    assert [c.value for c in branches[1]][-2:] == ["三会一课按频次召开率", "观察员发现被受理数"]
    lines = {row[0]: row[1] for row in weights.iter_rows(min_row=2, values_only=True)}
    assert lines["权重：1+N走访覆盖率"] == 5 and lines["权重：按时办结率"] == 48


def test_the_dashboard_shows_party_building_beside_business_with_a_chart(personas, client):
    held_activity(personas)
    client.force_login(personas.secretary)
    page = client.get(
        "/reports/", {"year": timezone.localdate().year, "quarter": (timezone.localdate().month - 1) // 3 + 1}
    )
    body = page.content.decode()
    assert 'id="chart-party-building"' in body and "三会一课按频次召开率" in body
    chart = page.context["charts"]["party_building"]
    at = chart["labels"].index(personas.branch.name)
    assert chart["series"]["required_parts_complete"][at] == 100.0
    assert chart["series"]["attendance_rate"][at] == 50.0


# -- the office edits its scoring scheme ------------------------------------------------------


def scheme_form(**changes):
    scheme = ScoringScheme(year=2026)
    from reports.services import SCHEME_FIELDS

    form = {name: getattr(scheme, name) for name in SCHEME_FIELDS}
    form = {k: ("on" if v is True else v) for k, v in form.items() if v is not False}
    return {"year": 2026, "reason": "党建考核比重调整", **form, **changes}


@pytest.mark.parametrize("office,town", [("office", "township"), ("b_office", "bs-township")])
def test_the_office_edits_its_townships_weights_with_a_reason(personas, client, office, town):
    client.force_login(getattr(personas, office))
    assert client.get("/office/scoring/").status_code == 200
    response = client.post(
        "/office/scoring/",
        scheme_form(weight_on_time_completion=43, weight_visit_coverage=10),
    )
    assert response.status_code == 302
    township = personas.unit(town)
    scheme = ScoringScheme.objects.get(township=township, year=2026)
    assert (scheme.weight_visit_coverage, scheme.weight_on_time_completion) == (10, 43)
    change = AdministrativeChange.objects.get(township=township, action="scoring_change")
    assert change.reason == "党建考核比重调整"
    assert change.details["changed"]["weight_visit_coverage"] == ["5.00", "10.00"]
    assert not ScoringScheme.objects.exclude(township=township).exists()


def test_weights_not_adding_up_to_100_are_refused(personas, client):
    client.force_login(personas.office)
    response = client.post("/office/scoring/", scheme_form(weight_visit_coverage=30))
    assert response.status_code == 400
    assert "各项权重之和须为100" in response.content.decode()
    assert not ScoringScheme.objects.exists()


def test_a_change_needs_a_reason(personas, client):
    client.force_login(personas.office)
    response = client.post("/office/scoring/", scheme_form(reason=""))
    assert response.status_code == 400 and not ScoringScheme.objects.exists()


def test_an_office_cannot_edit_the_other_townships_scheme(personas, client):
    client.force_login(personas.b_office)
    qingshan = personas.unit("township")
    assert client.get("/office/scoring/", {"township": qingshan.pk}).status_code == 404
    assert client.post(f"/office/scoring/?township={qingshan.pk}", scheme_form()).status_code == 404
    assert not ScoringScheme.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "leader", "cadre", "commissioner", "observer", "b_secretary"])
def test_no_one_else_edits_the_scheme(personas, client, who):
    client.force_login(getattr(personas, who))
    assert client.get("/office/scoring/").status_code == 403
    assert client.post("/office/scoring/", scheme_form()).status_code == 403
