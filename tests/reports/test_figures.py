import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from issues import services as issue_services
from lists import services
from reports.models import ScoringScheme
from reports.selectors import quarterly_assessment
from tests.reports.helpers import at, build_quarter, business_scheme, card

pytestmark = pytest.mark.django_db


def unit_row(assessment, unit):
    return next(r for r in assessment.units if r.unit.pk == unit.pk)


def person_row(assessment, user):
    return next(r for r in assessment.persons if r.user_id == user.pk)


def q3(now=None):
    return quarterly_assessment(year=2026, quarter=3, now=now or at(11, 1))


def test_branch_counts_on_a_hand_built_quarter(personas):
    build_quarter(personas)
    row = unit_row(q3(), personas.branch)
    counts = {k: row.counts[k] for k in ("items_due", "accepted_on_time", "completed_on_time", "overdue_items")}
    assert counts == {"items_due": 2, "accepted_on_time": 1, "completed_on_time": 1, "overdue_items": 1}


def test_overdue_working_days_skip_weekend_and_national_day(personas):
    build_quarter(personas)
    # due Thu 24 Sep; 25–27 Sep and 1 Oct are holidays: 28, 29, 30 Sep count
    assert unit_row(q3(), personas.branch).counts["overdue_working_days"] == 3


def test_rates_are_shares_of_items_due(personas):
    build_quarter(personas)
    rates = unit_row(q3(), personas.branch).rates
    assert (rates["on_time_acceptance_rate"], rates["on_time_completion_rate"], rates["pledge_fulfilment_rate"]) == (
        Decimal("0.5"),
        Decimal("0.5"),
        None,
    )


def test_score_applies_weights_and_deductions(personas):
    build_quarter(personas)
    row = unit_row(q3(), personas.branch)
    # weights 20 + 60 (no pledges due: their 20 are spread) → 50; minus 2 per overdue item and 3 per yellow card
    assert (row.deductions, row.score, row.vetoed) == (Decimal("5"), Decimal("45.00"), False)


def test_scheme_weights_change_the_score(personas):
    business_scheme(
        weight_on_time_acceptance=0, weight_on_time_completion=100, weight_pledge_fulfilment=0,
        deduction_per_overdue_item=10, deduction_per_yellow_card=0,
    )  # fmt: skip
    build_quarter(personas)
    assert unit_row(q3(), personas.branch).score == Decimal("40.00")


def test_red_card_vetoes_the_unit(personas):
    quarter = build_quarter(personas)
    with time_machine.travel(at(9, 30), tick=False):
        from supervision import services as supervision_services
        from supervision.models import SupervisionCase

        case = SupervisionCase.objects.get(object_id=quarter.late.pk)
        supervision_services.case_act(case=case, actor=personas.commissioner, action="red_card", note="督办函")
    row = unit_row(q3(), personas.branch)
    assert (row.vetoed, row.score, row.raw_score) == (True, Decimal("0.00"), Decimal("40.00"))


def test_vetoed_unit_is_no_candidate_and_ranks_last(personas):
    quarter = build_quarter(personas)
    business_scheme(collective_min_score=0)
    card(personas, quarter.on_time, "red_card", when=at(9, 30))
    assessment = q3()
    row = unit_row(assessment, personas.branch)
    ranked = [r for r in assessment.unit_rows if r.rank is not None]
    assert (row.candidate, row.rank) == (False, max(r.rank for r in ranked))


def test_rollup_adds_the_branch_to_the_committee_and_township(personas):
    build_quarter(personas)
    assessment = q3()
    committee = personas.branch.parent
    township = committee.parent
    assert [unit_row(assessment, u).counts["items_due"] for u in (committee, township)] == [2, 2]


def test_person_points_and_grade(personas):
    build_quarter(personas)
    assessment = q3()
    diligent, tardy = person_row(assessment, personas.cadre), person_row(assessment, personas.colleague)
    # base 60 + 5 per item on time; 60 − 5 per overdue item − 10 per card
    assert (diligent.points, diligent.grade, tardy.points, tardy.grade) == (
        Decimal("65.00"),
        "basic",
        Decimal("45.00"),
        "unqualified",
    )


def test_pioneer_candidates_are_top_n_above_threshold(personas):
    business_scheme(pioneer_min_points=65, pioneer_top_n=5)
    build_quarter(personas)
    assert [p.user_id for p in q3().pioneer_candidates] == [personas.cadre.pk]


def test_past_quarter_unchanged_by_later_activity(personas):
    quarter = build_quarter(personas)
    before = unit_row(q3(), personas.branch)
    with time_machine.travel(at(10, 12), tick=False):
        services.item_report_progress(item=quarter.late, actor=personas.colleague, text="补办中", percent=50)
        quarter.late.refresh_from_db()
        services.item_submit(item=quarter.late, actor=personas.colleague, result="补办")
        quarter.late.refresh_from_db()
        services.item_verify(item=quarter.late, actor=personas.leader)
    card(personas, quarter.on_time, "red_card", when=at(10, 13))
    after = unit_row(q3(now=at(11, 1)), personas.branch)
    assert (after.counts, after.score) == (before.counts, before.score)


def test_current_quarter_is_cut_at_now(personas):
    build_quarter(personas)
    # on 1 Sep the late item is not due yet and the card not issued
    row = unit_row(quarterly_assessment(year=2026, quarter=3, now=at(9, 1)), personas.branch)
    assert (row.counts["overdue_items"], row.counts["yellow_cards"]) == (0, 0)


def test_assessment_query_count_does_not_grow_with_items(personas, django_assert_max_num_queries):
    build_quarter(personas)
    with time_machine.travel(at(8, 3), tick=False):
        lst = services.list_create(
            unit=personas.other_branch, month=dt.date(2026, 8, 1), title="8月", actor=personas.other_leader
        )
        for n in range(15):
            services.item_create(
                lst=lst, actor=personas.other_leader, title=f"事项{n}", standard="完成", assignee=personas.other_cadre,
                lead_leader=personas.other_leader, due_at=at(9, 1 + n, 18),
            )  # fmt: skip
        services.list_publish(lst=lst, actor=personas.other_leader)
    # Party building's provider reads its rows too (required parts, activities, visits, pairings).
    with django_assert_max_num_queries(23):
        quarterly_assessment(year=2026, quarter=3, now=at(11, 1))


def test_pledge_fulfilment_counts_public_pledges_due_in_the_quarter(personas):
    from tests.pledges.pledge_helpers import make_pledge

    with time_machine.travel(at(8, 3), tick=False):
        make_pledge(personas.cadre, personas.leader, "fulfilled")
        make_pledge(personas.colleague, personas.leader, "approved")
        make_pledge(personas.other_cadre, personas.other_leader, "draft")
    row = unit_row(q3(), personas.branch)
    assert (row.counts["pledges_due"], row.counts["pledges_fulfilled"], row.rates["pledge_fulfilment_rate"]) == (
        2,
        1,
        Decimal("0.5"),
    )


def test_fulfilled_pledge_earns_member_points(personas):
    from tests.pledges.pledge_helpers import make_pledge

    with time_machine.travel(at(8, 3), tick=False):
        make_pledge(personas.cadre, personas.leader, "fulfilled")
    assert person_row(q3(), personas.cadre).points == Decimal("65.00")


def test_unit_bonus_and_member_reward_are_added(personas):
    from reports.models import MemberReward, UnitBonus

    build_quarter(personas)
    UnitBonus.objects.create(unit=personas.branch, year=2026, quarter=3, points=4, reason="市级表彰")
    MemberReward.objects.create(member=personas.cadre, year=2026, quarter=3, points=10, reason="见义勇为")
    assessment = q3()
    assert (unit_row(assessment, personas.branch).score, person_row(assessment, personas.cadre).points) == (
        Decimal("49.00"),
        Decimal("75.00"),
    )


def test_overdue_items_veto_when_configured(personas):
    business_scheme(veto_overdue_items=1)
    build_quarter(personas)
    row = unit_row(q3(), personas.branch)
    assert (row.vetoed, row.score) == (True, Decimal("0.00"))


def test_scheme_weights_must_add_up_to_100():
    from django.core.exceptions import ValidationError

    scheme = ScoringScheme(year=2026, weight_on_time_acceptance=50, weight_on_time_completion=60)
    with pytest.raises(ValidationError):
        scheme.clean()


def test_scheme_of_an_earlier_year_applies_until_replaced(db):
    ScoringScheme.objects.all().delete()
    ScoringScheme.objects.create(year=2025, deduction_per_red_card=9)
    assert ScoringScheme.for_year(2026).deduction_per_red_card == Decimal("9")


def test_unit_with_nothing_due_is_not_scored_or_ranked(personas):
    build_quarter(personas)
    row = unit_row(q3(), personas.far_branch)
    assert (row.score, row.rank) == (None, None)


def test_cancellation_after_the_quarter_leaves_it_unchanged(personas):
    quarter = build_quarter(personas)
    before = unit_row(q3(), personas.branch).counts["items_due"]
    with time_machine.travel(at(10, 12), tick=False):
        services.item_cancel(item=quarter.late, actor=personas.leader, reason="任务调整")
    assert (before, unit_row(q3(), personas.branch).counts["items_due"]) == (2, 2)


def test_cancellation_within_the_quarter_removes_the_item(personas):
    quarter = build_quarter(personas)
    with time_machine.travel(at(9, 10), tick=False):
        services.item_cancel(item=quarter.late, actor=personas.leader, reason="任务调整")
    assert unit_row(q3(), personas.branch).counts["items_due"] == 1


def test_a_registered_provider_adds_its_counts_and_rates(personas):
    from collections import Counter

    from reports import metrics

    class VisitProvider(metrics.MetricProvider):
        name = "visits"
        count_names = ("visits_due", "visits_made")
        rates = {"visit_rate": ("visits_made", "visits_due")}

        def collect(self, period, context):
            return {personas.branch.pk: Counter(visits_due=4, visits_made=3)}, {}

    metrics.register(VisitProvider())
    try:
        row = unit_row(q3(), personas.branch.parent)
    finally:
        metrics._REGISTRY.pop("visits")
    assert (row.counts["visits_due"], row.rates["visit_rate"]) == (4, Decimal("0.75"))


def test_work_orders_count_in_the_handling_units_figures(personas, time_machine):
    """解决率 and 满意率: a work order resolved on time and followed up as satisfied."""
    import datetime as dt

    from reports.selectors import quarterly_assessment
    from tests.issues.issue_fixtures import IssuePeople, issue_in_state

    people = IssuePeople(personas)
    time_machine.move_to(dt.datetime(2026, 8, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    issue = issue_in_state(people, "resolved")
    issue_services.issue_follow_up(issue=issue, actor=people.dispatcher, satisfaction="satisfied")
    time_machine.move_to(dt.datetime(2026, 10, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    result = quarterly_assessment(year=2026, quarter=3)
    row = next(r for r in result.units if r.unit.pk == issue.unit_id)
    assert (row.counts["issues_due"], row.counts["issues_resolved"], row.counts["follow_ups_satisfied"]) == (1, 1, 1)
    assert row.rates["issue_resolution_rate"] == 1
    assert row.rates["satisfaction_rate"] == 1


def test_each_township_is_ranked_on_its_own(personas):
    """白水镇's better quarter does not push 青山镇's branch 01 down its own township's ranking."""
    build_quarter(personas)  # branch 01: one item on time, one overdue with a yellow card
    with time_machine.travel(at(8, 3), tick=False):
        lst = services.list_create(unit=personas.b_branch, month=dt.date(2026, 8, 1), title="8月清单", actor=personas.b_leader)  # fmt: skip
        item = services.item_create(
            lst=lst, actor=personas.b_leader, title="主题党日", standard="召开", assignee=personas.b_cadre,
            lead_leader=personas.b_leader, due_at=at(8, 20, 18),
        )  # fmt: skip
        services.list_publish(lst=lst, actor=personas.b_leader)
        item.refresh_from_db()
        services.item_accept(item=item, actor=personas.b_cadre)
        item.refresh_from_db()
        services.item_report_progress(item=item, actor=personas.b_cadre, text="筹备中", percent=50)
        item.refresh_from_db()
        services.item_submit(item=item, actor=personas.b_cadre, result="已召开")
        item.refresh_from_db()
        services.item_verify(item=item, actor=personas.b_leader)
    assessment = q3()
    baishui, qingshan = unit_row(assessment, personas.b_branch), unit_row(assessment, personas.branch)
    assert baishui.score > qingshan.score
    assert (baishui.rank, qingshan.rank) == (1, 1)
    assert person_row(assessment, personas.b_cadre).rank == 1 == person_row(assessment, personas.cadre).rank
