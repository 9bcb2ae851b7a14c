"""Deadline policies are data: defaults from DESIGN.md, overridden per category and urgency."""

from workflows.models import DeadlinePolicy
from workflows.policies import DEFAULTS, Policy, policy_for


def test_default_item_policy_follows_the_design_table(db):
    policy = policy_for("item")
    assert (
        policy.accept_within_working_days,
        policy.blue_before_due_working_days,
        policy.red_after_due_working_days,
        policy.escalate_after_overdue_working_days,
    ) == (1, 2, 0, 3)


def test_urgent_items_have_shorter_limits(db):
    policy = policy_for("item", urgent=True)
    assert policy.accept_within_hours == 2 and policy.escalate_after_overdue_working_days == 1


def test_default_rows_are_installed_for_admins_to_edit(db):
    assert set(DeadlinePolicy.objects.filter(kind="item").values_list("urgent", flat=True)) == {False, True}


def test_edited_default_row_is_used(db):
    DeadlinePolicy.objects.filter(kind="item", category_code="", urgent=False).update(
        escalate_after_overdue_working_days=5
    )
    assert policy_for("item").escalate_after_overdue_working_days == 5


def test_category_policy_wins_for_its_category(db):
    DeadlinePolicy.objects.create(kind="item", category_code="safety", blue_before_due_working_days=4)
    assert policy_for("item", "safety").blue_before_due_working_days == 4
    assert policy_for("item", "party").blue_before_due_working_days == 2


def test_urgency_wins_over_a_normal_category_policy(db):
    DeadlinePolicy.objects.create(kind="item", category_code="safety", blue_before_due_working_days=4)
    assert policy_for("item", "safety", urgent=True).accept_within_hours == 2


def test_unknown_kind_gets_built_in_defaults(db):
    assert policy_for("pledge") == Policy()


def test_kind_without_rows_uses_its_built_in_urgent_default(db):
    from workflows.models import DeadlinePolicy

    DeadlinePolicy.objects.filter(kind="issue").delete()
    assert policy_for("issue", urgent=True) == DEFAULTS[("issue", True)]


def test_installed_issue_policies_match_the_built_in_defaults(db):
    for urgent in (False, True):
        assert policy_for("issue", urgent=urgent) == DEFAULTS[("issue", urgent)]
