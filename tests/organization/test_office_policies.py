"""The township office's deadline policies and escalation ladder: per category, edited with a
reason, every change in the change history, scoped to the office's own township."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from organization.models import AdministrativeChange, Unit, User
from tests.workflows.conftest import events_seen, make_item  # noqa: F401  (fixtures)
from workflows.models import DeadlinePolicy
from workflows.policies import policy_for

pytestmark = pytest.mark.django_db

NOT_OFFICE = [
    "secretary",
    "leader01",
    "cadre001",
    "commissioner01",
    "commissioner02",
    "observer01",
    "bsecretary",
    "bleader01",
    "bcadre001",
    "bcommissioner01",
]
PAGES = ["office_policies", "office_policy_edit"]
OFFICES = {"office01": "township", "boffice01": "bs-township"}


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def ladder(**changes) -> dict:
    values = {
        "accept_within_working_days": 1,
        "accept_within_hours": "",
        "blue_before_due_working_days": 2,
        "blue_at_percent_time_used": 70,
        "red_after_due_working_days": 0,
        "escalate_after_overdue_working_days": 2,
        "level1_audience": "district_commissioners",
        "level1_action": "open_case",
        "level2_after_overdue_working_days": 5,
        "level2_audience": "township_committee",
        "level2_action": "take_over",
        "level3_after_overdue_working_days": 8,
        "level3_audience": "secretary",
        "level3_action": "mark_for_meeting",
        "verify_within_working_days": 3,
        "reason": "安全生产从严",
    }
    return {**values, **changes}


@pytest.fixture
def safety(township):
    from lists.models import TaskCategory

    return TaskCategory.objects.get_or_create(code="safety", defaults={"name": "安全生产"})[0]


def edit_url(category="", urgent="0"):
    return f"{reverse('office_policy_edit')}?category={category}&urgent={urgent}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("username", [*OFFICES, "admin"])
def test_office_holders_and_admins_open_the_policy_pages(township, name, username):
    response = login(username).get(reverse(name))
    assert response.status_code == 200
    assert "升级" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("username", NOT_OFFICE)
def test_nobody_else_opens_the_policy_pages(township, name, username):
    assert login(username).get(reverse(name)).status_code == 403
    assert login(username).post(reverse(name), ladder()).status_code in (403, 405)


def test_anonymous_goes_to_the_login_page(township):
    assert Client().get(reverse("office_policies")).status_code == 302


@pytest.mark.parametrize("username", OFFICES)
def test_the_office_sets_its_townships_ladder_for_a_category(township, safety, username):
    client = login(username)
    response = client.post(edit_url("safety"), ladder())
    assert response.status_code == 302
    own = Unit.objects.get(code=OFFICES[username])
    row = DeadlinePolicy.objects.get(township=own, category_code="safety", urgent=False)
    assert [row.ladder_days(level) for level in (1, 2, 3)] == [2, 5, 8] and row.verify_within_working_days == 3
    change = AdministrativeChange.objects.get(township=own, action="policy_set")
    assert change.reason == "安全生产从严" and change.actor.username == username
    assert change.details["before"]["escalate_after_overdue_working_days"] == 3
    assert change.details["after"]["escalate_after_overdue_working_days"] == 2
    assert "verify_within_working_days" in change.details["changed"]
    history = client.get(reverse("office_changes")).content.decode()
    assert "安全生产从严" in history
    listing = client.get(reverse("office_policies")).content.decode()
    assert "2 个工作日" in listing or "2 working days" in listing


def test_one_townships_policy_never_reaches_the_other(township, safety, personas):
    login("boffice01").post(
        edit_url("safety"), ladder(escalate_after_overdue_working_days=1, verify_within_working_days=7)
    )
    assert policy_for("item", "safety", unit=personas.b_branch).escalate_after_overdue_working_days == 1
    assert policy_for("item", "safety", unit=personas.branch).escalate_after_overdue_working_days == 3
    assert not AdministrativeChange.objects.filter(township__code="township").exists()
    # 青山镇's office sees the deployment's policy for the category, not 白水镇's row
    page = login("office01").get(reverse("office_policies")).content.decode()
    assert "7 个工作日" not in page and "7 working days" not in page


def test_an_office_cannot_remove_the_other_townships_policy(township, safety):
    login("boffice01").post(edit_url("safety"), ladder())
    theirs = DeadlinePolicy.objects.get(township__code="bs-township")
    response = login("office01").post(reverse("office_policy_remove", args=[theirs.pk]), {"reason": "越权"})
    assert response.status_code == 404
    assert DeadlinePolicy.objects.filter(pk=theirs.pk).exists()


def test_removing_the_townships_policy_returns_to_the_deployments(township, safety, personas):
    client = login("office01")
    client.post(edit_url("safety"), ladder())
    own = DeadlinePolicy.objects.get(township__code="township")
    assert client.post(reverse("office_policy_remove", args=[own.pk]), {"reason": ""}).status_code == 302
    assert DeadlinePolicy.objects.filter(pk=own.pk).exists()  # no reason, nothing removed
    client.post(reverse("office_policy_remove", args=[own.pk]), {"reason": "恢复统一标准"})
    assert not DeadlinePolicy.objects.filter(pk=own.pk).exists()
    assert policy_for("item", "safety", unit=personas.branch).escalate_after_overdue_working_days == 3
    change = AdministrativeChange.objects.get(action="policy_remove")
    assert change.reason == "恢复统一标准" and change.details["before"]["escalate_after_overdue_working_days"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"level2_after_overdue_working_days": 2}, "level2_after_overdue_working_days"),
        ({"level3_after_overdue_working_days": 4}, "level3_after_overdue_working_days"),
        ({"escalate_after_overdue_working_days": -1}, "escalate_after_overdue_working_days"),
        ({"verify_within_working_days": 999}, "verify_within_working_days"),
        ({"level1_audience": "everyone"}, "level1_audience"),
        ({"level2_action": "fire"}, "level2_action"),
        ({"blue_at_percent_time_used": 150}, "blue_at_percent_time_used"),
        ({"level1_action": ""}, "level1_action"),
    ],
)
def test_a_bad_ladder_comes_back_400_with_the_fields_message(township, changes, field):
    response = login("office01").post(edit_url(), ladder(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not DeadlinePolicy.objects.filter(township__isnull=False).exists()
    assert not AdministrativeChange.objects.exists()


@pytest.mark.parametrize("query", ["?category=nonesuch&urgent=0", "?category=&urgent=maybe"])
def test_an_unknown_category_or_urgency_is_404(township, query):
    assert login("office01").get(reverse("office_policy_edit") + query).status_code == 404


def test_an_admin_picks_the_township(township, safety):
    baishui = Unit.objects.get(code="bs-township")
    response = login("admin").post(f"{edit_url('safety')}&township={baishui.pk}", ladder())
    assert response.status_code == 302
    assert DeadlinePolicy.objects.get(category_code="safety").township == baishui


def test_a_township_ladder_set_by_its_office_drives_the_sweep(township, personas, make_item, events_seen):  # noqa: F811
    from tests.workflows.conftest import at
    from workflows.sweep import sweep_deadlines

    login("office01").post(
        edit_url(),
        ladder(escalate_after_overdue_working_days=1, level1_audience="secretary", level1_action="notify"),
    )
    item = make_item(assigned_at=at(2026, 11, 30, 9), due_at=at(2026, 12, 11, 17))
    with time_machine.travel(at(2026, 12, 14, 17), tick=False):
        sweep_deadlines(as_of=at(2026, 12, 14, 17))
    item.refresh_from_db()
    assert item.escalation_level == 1
    (event,) = [e for e in events_seen if e.name == "sweep.escalated"]
    assert list(event.recipients) == [personas.secretary.pk]
