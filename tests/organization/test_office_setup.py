"""The township office's set-up pages: item templates with their cadence, working days,
discipline jurisdictions and the bulk import of people — for both townships' office holders,
scoped to their own township, every change logged with its reason."""

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from lists.models import RecurringItemTemplate, ResponsibilityList
from organization.models import AdministrativeChange, Jurisdiction, Membership, Unit, User
from workflows.models import CalendarOverride
from workflows.spreadsheet import append_row

# (office holder, own township's code, own branch, the other township's branch)
OFFICES = [
    ("office01", "township", "branch01", "bs-branch01"),
    ("boffice01", "bs-township", "bs-branch01", "branch01"),
]
SETUP_PAGES = ["office_templates", "office_calendar", "office_jurisdictions", "office_import"]


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


def template_data(unit: Unit, **extra) -> dict:
    return {
        "unit": unit.pk,
        "title": "季度党课",
        "standard": "书记讲党课，有讲稿",
        "cadence": "quarterly",
        "period_month": "2",
        "due_day": "20",
        "reason": "党委会议定",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", SETUP_PAGES)
@pytest.mark.parametrize("username", ["office01", "boffice01", "admin"])
def test_office_opens_every_setup_page(township, name, username):
    assert login(username).get(url(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*SETUP_PAGES, "office_import_template"])
@pytest.mark.parametrize("username", ["secretary", "leader01", "cadre001", "commissioner02", "observer01", "bleader01"])
def test_no_other_role_opens_a_setup_page(township, name, username):
    assert login(username).get(url(name)).status_code == 403


# -- item templates --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_creates_edits_and_deactivates_a_template_with_reasons(township, username, township_code, own, other):
    client, branch = login(username), Unit.objects.get(code=own)
    response = client.post(url("office_templates"), template_data(branch))
    assert response.status_code == 302
    template = RecurringItemTemplate.objects.get(title="季度党课", unit=branch)
    assert (template.cadence, template.period_month, template.due_day) == ("quarterly", 2, 20)
    change = AdministrativeChange.objects.get(action="template_create")
    assert change.township.code == township_code and change.reason == "党委会议定"

    data = template_data(branch, cadence="annual", period_month="12", reason="改为年度")
    assert client.post(url("office_template", pk=template.pk), data).status_code == 302
    template.refresh_from_db()
    assert (template.cadence, template.period_month) == ("annual", 12)
    update = AdministrativeChange.objects.get(action="template_update")
    assert update.details["changed"]["cadence"] == ["quarterly", "annual"]

    action = url("office_template_action", pk=template.pk, action="deactivate")
    assert client.post(action, {"reason": ""}).status_code == 302
    template.refresh_from_db()
    assert template.active  # no reason, no change
    client.post(action, {"reason": "不再开展"})
    template.refresh_from_db()
    assert not template.active
    assert AdministrativeChange.objects.filter(action="template_deactivate", reason="不再开展").exists()
    page = client.get(url("office_template", pk=template.pk)).content.decode()
    assert "不再开展" in page and "改为年度" in page


@pytest.mark.django_db
def test_a_one_off_template_takes_a_month(township):
    client, branch = login("office01"), Unit.objects.get(code="branch01")
    data = template_data(branch, title="换届筹备", cadence="once", period_month="", once_month="2027-03")
    assert client.post(url("office_templates"), data).status_code == 302
    template = RecurringItemTemplate.objects.get(title="换届筹备")
    assert template.once_month == dt.date(2027, 3, 1) and template.period_month is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cadence": "quarterly", "period_month": "4"}, "period_month"),
        ({"cadence": "quarterly", "period_month": ""}, "period_month"),
        ({"cadence": "annual", "period_month": ""}, "period_month"),
        ({"cadence": "once", "period_month": "", "once_month": ""}, "once_month"),
        ({"cadence": "once", "once_month": "2027-13"}, "once_month"),
        ({"cadence": "weekly"}, "cadence"),
        ({"due_day": "32"}, "due_day"),
        ({"due_day": "0"}, "due_day"),
        ({"title": ""}, "title"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_a_wrong_template_is_400_with_the_fields_message(township, extra, field):
    branch = Unit.objects.get(code="branch01")
    response = login("office01").post(url("office_templates"), template_data(branch, **extra))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not RecurringItemTemplate.objects.filter(title=extra.get("title", "季度党课")).exists()
    assert not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_a_template_cannot_name_the_other_townships_unit_or_people(township):
    client = login("office01")
    response = client.post(url("office_templates"), template_data(Unit.objects.get(code="bs-branch01")))
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    data = template_data(Unit.objects.get(code="branch01"), lead_leader=User.objects.get(username="bleader01").pk)
    response = client.post(url("office_templates"), data)
    assert response.status_code == 400 and "lead_leader" in response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_the_other_townships_template_is_404(township, username, township_code, own, other):
    template = RecurringItemTemplate.objects.create(unit=Unit.objects.get(code=other), title="外镇", standard="-")
    client = login(username)
    assert client.get(url("office_template", pk=template.pk)).status_code == 404
    assert client.post(url("office_template", pk=template.pk), {"reason": "x"}).status_code == 404
    action = url("office_template_action", pk=template.pk, action="deactivate")
    assert client.post(action, {"reason": "x"}).status_code == 404
    template.refresh_from_db()
    assert template.active
    assert "外镇" not in client.get(url("office_templates")).content.decode()


@pytest.mark.django_db
def test_an_edited_cadence_drives_the_next_generation(township):
    """The office switches a monthly template to annual (December): November's run skips it."""
    from lists.services import lists_generate_monthly

    branch = Unit.objects.get(code="branch01")
    template = RecurringItemTemplate.objects.create(unit=branch, title="主题党日", standard="有记录", due_day=25)
    data = template_data(branch, title="主题党日", cadence="annual", period_month="12", reason="年度")
    login("office01").post(url("office_template", pk=template.pk), data)
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)):
        lists_generate_monthly(month=dt.date(2026, 11, 1))
        lists_generate_monthly(month=dt.date(2026, 12, 1))
    titles = {
        month: set(ResponsibilityList.objects.get(unit=branch, month=month).items.values_list("title", flat=True))
        for month in (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    }
    assert "主题党日" not in titles[dt.date(2026, 11, 1)]
    assert "主题党日" in titles[dt.date(2026, 12, 1)]


# -- working days ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_sets_and_restores_a_day_and_deadlines_do_not_move(township, username, township_code, own, other):
    from lists import services

    client, branch = login(username), Unit.objects.get(code=own)
    leader = User.objects.filter(memberships__unit=branch, memberships__role="leader").first()
    cadre = User.objects.filter(memberships__unit=branch, memberships__role="cadre").first()
    lst = services.list_create(unit=branch, month=dt.date(2026, 12, 1), title="清单", actor=leader)
    due = timezone.now() + dt.timedelta(days=5)
    item = services.item_create(
        lst=lst, actor=leader, title="任务", standard="完成", assignee=cadre, lead_leader=leader, due_at=due
    )
    day = timezone.localdate() + dt.timedelta(days=2)
    data = {"date": day.isoformat(), "unit": branch.pk, "is_working_day": "0", "note": "防汛", "reason": "汛期调休"}
    assert client.post(url("office_calendar"), data).status_code == 302
    override = CalendarOverride.objects.get(date=day, unit=branch)
    assert override.is_working_day is False
    item.refresh_from_db()
    assert item.due_at == due
    assert AdministrativeChange.objects.get(action="calendar_set").township.code == township_code
    # Setting the same day again changes the row, not a second one.
    client.post(url("office_calendar"), {**data, "is_working_day": "1", "reason": "取消"})
    assert CalendarOverride.objects.get(date=day, unit=branch).is_working_day is True
    assert client.post(url("office_calendar_remove", pk=override.pk), {"reason": "恢复"}).status_code == 302
    assert not CalendarOverride.objects.filter(pk=override.pk).exists()
    assert AdministrativeChange.objects.filter(action="calendar_remove", reason="恢复").exists()


@pytest.mark.django_db
def test_a_past_day_or_another_townships_unit_is_400(township):
    client = login("office01")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = {"date": yesterday.isoformat(), "unit": Unit.objects.get(code="township").pk, "is_working_day": "1"}
    response = client.post(url("office_calendar"), {**data, "reason": "补班"})
    assert response.status_code == 400 and "date" in response.context["form"].errors
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    other = {**data, "date": tomorrow, "unit": Unit.objects.get(code="bs-township").pk, "reason": "补班"}
    response = client.post(url("office_calendar"), other)
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    response = client.post(url("office_calendar"), {**data, "date": tomorrow, "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert not CalendarOverride.objects.exists() and not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_the_other_townships_day_and_a_deployment_day_are_404(township):
    day = timezone.localdate() + dt.timedelta(days=3)
    theirs = CalendarOverride.objects.create(date=day, unit=Unit.objects.get(code="bs-township"), is_working_day=False)
    everyone = CalendarOverride.objects.create(date=day, unit=None, is_working_day=False)
    client = login("office01")
    for override in (theirs, everyone):
        assert client.post(url("office_calendar_remove", pk=override.pk), {"reason": "x"}).status_code == 404
    assert CalendarOverride.objects.count() == 2


# -- jurisdictions ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_edits_a_jurisdiction_and_its_commissioners_follow(township, username, township_code, own, other):
    client = login(username)
    jurisdiction = Jurisdiction.objects.filter(unit__path__startswith=Unit.objects.get(code=township_code).path)
    jurisdiction = jurisdiction.exclude(unit__kind="township").first()
    branch = Unit.objects.get(code=own)
    data = {"unit": jurisdiction.unit.pk, "name": "新片区纪工委", "covers": [branch.pk], "reason": "片区调整"}
    assert client.post(url("office_jurisdiction", pk=jurisdiction.pk), data).status_code == 302
    jurisdiction.refresh_from_db()
    assert jurisdiction.name == "新片区纪工委" and list(jurisdiction.covers.all()) == [branch]
    change = AdministrativeChange.objects.get(action="jurisdiction_set")
    assert change.reason == "片区调整" and change.details["before"]["name"] != "新片区纪工委"
    response = client.post(url("office_jurisdiction_remove", pk=jurisdiction.pk), {"reason": "撤并"})
    assert response.status_code == 302
    assert not Jurisdiction.objects.filter(pk=jurisdiction.pk).exists()


@pytest.mark.django_db
def test_a_wrong_jurisdiction_is_400(township):
    client = login("office01")
    township_unit = Unit.objects.get(code="township")
    cases = [
        ({"unit": township_unit.pk, "name": "重复"}, "unit"),  # the township already has one
        ({"unit": Unit.objects.get(code="branch01").pk, "name": "支部"}, "unit"),  # not a seat
        ({"unit": Unit.objects.get(code="bs-township").pk, "name": "外镇"}, "unit"),
        ({"unit": township_unit.pk, "name": "x", "covers": [Unit.objects.get(code="bs-branch01").pk]}, "covers"),
        ({"unit": township_unit.pk, "name": ""}, "name"),
    ]
    for data, field in cases:
        response = client.post(url("office_jurisdictions"), {"reason": "调整", **data})
        assert response.status_code == 400, data
        assert field in response.context["form"].errors, data
    assert not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_the_other_townships_jurisdiction_is_404(township):
    theirs = Jurisdiction.objects.get(unit__code="bs-township")
    client = login("office01")
    assert client.get(url("office_jurisdiction", pk=theirs.pk)).status_code == 404
    assert client.post(url("office_jurisdiction_remove", pk=theirs.pk), {"reason": "x"}).status_code == 404
    assert Jurisdiction.objects.filter(pk=theirs.pk).exists()


# -- bulk import of people -------------------------------------------------------------------


def workbook(*rows, header=("用户名", "姓名", "电话", "单位", "角色", "职务")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    append_row(sheet, list(header))
    for row in rows:
        append_row(sheet, list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "people.xlsx"
    return buffer


def branch_name(code: str) -> str:
    return Unit.objects.get(code=code).name


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "township_code", "own", "other"), OFFICES)
def test_office_imports_people_and_roles(township, username, township_code, own, other):
    existing = User.objects.filter(memberships__unit__code=own, memberships__role="cadre").first()
    file = workbook(
        ("newcadre1", "新干部一", "13900000001", branch_name(own), "干部", "组织委员"),
        ("newcadre1", "新干部一", "", township_code, "observer", ""),
        (existing.username, existing.display_name, "", branch_name(own), "支部委员", ""),
    )
    response = login(username).post(url("office_import"), {"file": file, "reason": "年初调整"})
    assert response.status_code == 200
    person = User.objects.get(username="newcadre1")
    assert response.context["result"].created[0][0] == person
    assert set(person.memberships.values_list("role", flat=True)) == {"cadre", "observer"}
    assert person.check_password(response.context["result"].created[0][1])
    assert Membership.objects.filter(user=existing, role="branch_committee").exists()
    change = AdministrativeChange.objects.get(action="people_import")
    assert change.township.code == township_code and len(change.details["rows"]) == 3


@pytest.mark.django_db
def test_an_import_with_a_bad_row_imports_nothing_and_names_every_bad_row(township):
    file = workbook(
        ("goodone", "好人", "", branch_name("branch01"), "干部", ""),
        ("x", "", "电话", "不存在的单位", "主任", ""),
        ("bcadre001", "外镇", "", branch_name("branch01"), "干部", ""),
        ("cadre001", "张", "", branch_name("branch01"), "cadre", ""),
        ("goodone", "好人", "", branch_name("branch01"), "cadre", ""),
    )
    response = login("office01").post(url("office_import"), {"file": file, "reason": "导入"})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 4
    assert all(f"{number}" in error.split()[0] for number, error in zip(range(3, 7), errors, strict=True))
    body = response.content.decode()
    assert "bcadre001" in body and "不存在的单位" in body
    assert not User.objects.filter(username="goodone").exists()
    assert not AdministrativeChange.objects.exists()


@pytest.mark.django_db
def test_an_import_refuses_what_is_not_a_workbook_or_misses_columns(township):
    client = login("office01")
    junk = io.BytesIO(b"not a workbook")
    junk.name = "people.xlsx"
    response = client.post(url("office_import"), {"file": junk, "reason": "导入"})
    assert response.status_code == 400 and response.context["errors"]
    response = client.post(url("office_import"), {"file": workbook(header=("用户名", "姓名")), "reason": "导入"})
    assert response.status_code == 400 and "单位" in " ".join(response.context["errors"])
    response = client.post(url("office_import"), {"file": workbook(), "reason": "导入"})
    assert response.status_code == 400
    response = client.post(url("office_import"), {"reason": "导入"})
    assert response.status_code == 400 and "file" in response.context["form"].errors


@pytest.mark.django_db
def test_the_template_workbook_imports_as_it_is(township):
    client = login("office01")
    response = client.get(url("office_import_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book.active[1]][:6]
    assert header == ["用户名", "姓名", "电话", "单位", "角色", "职务"]
    file = io.BytesIO(response.content)
    file.name = "template.xlsx"
    assert client.post(url("office_import"), {"file": file, "reason": "样例"}).status_code == 200
    assert User.objects.filter(username="zhangsan", memberships__role="cadre").exists()
