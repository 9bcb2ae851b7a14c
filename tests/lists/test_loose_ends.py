"""Lost work and loose ends: deletions that would lose carried-over work are refused, every
allowed deletion is logged, and bad input gets 400 or 409 with a message, never a 500."""

import datetime as dt

import pytest
from django.test import Client

from issues import services as issue_services
from issues.models import LivelihoodIssue
from lists import services
from lists.models import ExtensionRequest, ResponsibilityItem, ResponsibilityList
from organization.models import Membership
from tests.issues.issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401
from workflows.models import TransitionLog

from .lists_builders import MONTH, add_item, draft_list, item_in_state

NEXT_MONTH = dt.date(2027, 1, 1)


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def carried_over_message(text: str) -> bool:
    return "carried over" in text or "结转" in text


def deletion_rows(model, pk):
    return list(
        TransitionLog.objects.filter(content_type__model=model._meta.model_name, object_id=pk, transition="delete")
    )


@pytest.fixture
def carried_over(personas):
    """A closed December list whose item was carried over to January's draft list."""
    original = item_in_state(personas, "carried_over")
    copy = ResponsibilityItem.objects.get(carried_over_from=original)
    return original, copy


# -- deletions ----------------------------------------------------------------------------------


def test_list_holding_carried_over_work_cannot_be_deleted(personas, api_as, carried_over):
    original, copy = carried_over
    response = api_as(personas.leader).delete(f"/api/v1/lists/{copy.list_id}/")
    assert response.status_code == 409
    assert carried_over_message(response.json()["detail"])
    assert ResponsibilityItem.objects.filter(pk=copy.pk, carried_over_from=original).exists()
    assert not deletion_rows(ResponsibilityList, copy.list_id)


def test_carried_over_item_cannot_be_deleted(personas, api_as, carried_over):
    _original, copy = carried_over
    response = api_as(personas.leader).delete(f"/api/v1/items/{copy.pk}/")
    assert response.status_code == 409
    assert carried_over_message(response.json()["detail"])
    assert ResponsibilityItem.objects.filter(pk=copy.pk).exists()


def test_list_page_refuses_to_delete_carried_over_work(personas, carried_over):
    _original, copy = carried_over
    response = page_client(personas.leader).post(f"/lists/{copy.list_id}/delete/", follow=True)
    assert response.status_code == 200
    assert any(carried_over_message(str(m)) for m in response.context["messages"])
    assert ResponsibilityList.objects.filter(pk=copy.list_id).exists()


def test_item_page_refuses_to_delete_a_carried_over_item(personas, carried_over):
    _original, copy = carried_over
    page_client(personas.leader).post(f"/lists/items/{copy.pk}/delete/")
    assert ResponsibilityItem.objects.filter(pk=copy.pk).exists()


def test_deleting_a_draft_list_logs_the_list_and_its_items(personas, api_as):
    lst = draft_list(personas)
    item = add_item(personas, lst)
    response = api_as(personas.leader).delete(f"/api/v1/lists/{lst.pk}/")
    assert response.status_code == 204
    assert not ResponsibilityList.objects.filter(pk=lst.pk).exists()
    [row] = deletion_rows(ResponsibilityList, lst.pk)
    assert (row.source, row.target, row.actor) == ("draft", "deleted", personas.leader)
    assert row.payload["items"] == [item.pk] and row.payload["month"] == "2026-12"
    [item_row] = deletion_rows(ResponsibilityItem, item.pk)
    assert item_row.payload["title"] == item.title


def test_deleting_a_draft_item_through_the_api_is_logged(personas, api_as):
    item = add_item(personas, draft_list(personas))
    assert api_as(personas.leader).delete(f"/api/v1/items/{item.pk}/").status_code == 204
    [row] = deletion_rows(ResponsibilityItem, item.pk)
    assert (row.transition, row.actor, row.payload["list"]) == ("delete", personas.leader, item.list_id)


def test_deleting_a_draft_item_on_its_page_is_logged(personas):
    item = add_item(personas, draft_list(personas))
    page_client(personas.leader).post(f"/lists/items/{item.pk}/delete/")
    assert not ResponsibilityItem.objects.filter(pk=item.pk).exists()
    assert len(deletion_rows(ResponsibilityItem, item.pk)) == 1


def test_list_page_deletes_a_draft_list_and_logs_it(personas):
    lst = draft_list(personas)
    response = page_client(personas.leader).post(f"/lists/{lst.pk}/delete/")
    assert response.status_code == 302
    assert not ResponsibilityList.objects.filter(pk=lst.pk).exists()
    assert len(deletion_rows(ResponsibilityList, lst.pk)) == 1


def test_cadre_cannot_delete_a_list_on_its_page(personas):
    lst = draft_list(personas)
    assert page_client(personas.cadre).post(f"/lists/{lst.pk}/delete/").status_code in (403, 404)
    assert ResponsibilityList.objects.filter(pk=lst.pk).exists()


def test_deletion_rows_keep_their_chain(personas):
    from workflows.audit import verify_chains

    lst = draft_list(personas)
    add_item(personas, lst)
    services.list_delete_draft(lst=lst, actor=personas.leader)
    assert verify_chains() == []


def test_admin_cannot_delete_a_list_holding_carried_over_work(personas, carried_over):
    _original, copy = carried_over
    client = page_client(personas.admin)
    response = client.post(f"/admin/lists/responsibilitylist/{copy.list_id}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ResponsibilityList.objects.filter(pk=copy.list_id).exists()


def test_admin_deletion_of_a_draft_list_is_logged(personas):
    lst = draft_list(personas)
    add_item(personas, lst)
    client = page_client(personas.admin)
    response = client.post(f"/admin/lists/responsibilitylist/{lst.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ResponsibilityList.objects.filter(pk=lst.pk).exists()
    assert deletion_rows(ResponsibilityList, lst.pk)[0].actor == personas.admin


def test_admin_deletion_of_a_work_order_is_logged(people, personas):
    issue = register(people)
    client = page_client(personas.admin)
    response = client.post(f"/admin/issues/livelihoodissue/{issue.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [row] = deletion_rows(LivelihoodIssue, issue.pk)
    assert (row.source, row.payload["via"]) == ("reported", "admin")


# -- changing what may not change ---------------------------------------------------------------


@pytest.mark.parametrize("other", ["next_month", "other_unit", "published"])
def test_moving_a_draft_item_to_another_list_is_400(personas, api_as, other):
    item = add_item(personas, draft_list(personas))
    if other == "published":
        target = add_item(personas, draft_list(personas, month=NEXT_MONTH)).list
        services.list_publish(lst=target, actor=personas.leader)
    else:
        unit = personas.other_branch if other == "other_unit" else personas.branch
        target = draft_list(personas, month=NEXT_MONTH, unit=unit)
    response = api_as(personas.secretary).patch(f"/api/v1/items/{item.pk}/", {"list": target.pk}, format="json")
    assert response.status_code == 400
    assert "list" in response.json()
    assert ResponsibilityItem.objects.get(pk=item.pk).list_id == item.list_id


def test_patch_repeating_the_items_own_list_is_accepted(personas, api_as):
    item = add_item(personas, draft_list(personas))
    response = api_as(personas.leader).patch(
        f"/api/v1/items/{item.pk}/", {"list": item.list_id, "title": "新标题"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "新标题"


def test_moving_a_list_to_another_unit_is_400(personas, api_as):
    lst = draft_list(personas)
    response = api_as(personas.secretary).patch(
        f"/api/v1/lists/{lst.pk}/", {"unit": personas.other_branch.pk}, format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert ResponsibilityList.objects.get(pk=lst.pk).unit == personas.branch


@pytest.mark.parametrize("month", ["10000-1", "0-0", "abc", "2026-13", "2026-00", "²⁰²⁶-12", "-1-1"])
def test_bad_month_filter_is_400(personas, api_as, month):
    response = api_as(personas.leader).get("/api/v1/lists/", {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


def test_month_filter_finds_the_months_list(personas, api_as):
    lst = draft_list(personas)
    draft_list(personas, month=NEXT_MONTH)
    response = api_as(personas.leader).get("/api/v1/lists/", {"month": MONTH.strftime("%Y-%m")})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [lst.pk]


@pytest.mark.parametrize("value", ["²", "٣", "１２"])
def test_unicode_digits_in_the_assignee_filter_find_nothing(personas, api_as, value):
    response = api_as(personas.leader).get("/api/v1/items/", {"assignee": value})
    assert response.status_code == 200 and response.json()["count"] == 0


# -- livelihood issues --------------------------------------------------------------------------


@pytest.mark.parametrize("place", ["²", "³号楼", "٣", "１２", "𝟙𝟚"])
def test_issue_with_a_unicode_digit_place_is_registered_as_free_text(people, api_as, place):
    body = {"title": "路灯", "source": "visit", "place": place, "category": "roads", "urgency": "normal"}
    response = api_as(people.reporter).post("/api/v1/livelihood-issues/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["place_name"] == place


@pytest.mark.parametrize("value", ["²", "٣"])
def test_unicode_digits_in_the_handler_filter_find_nothing(people, api_as, value):
    response = api_as(people.dispatcher).get("/api/v1/livelihood-issues/", {"handler": value})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize("membership", ["abc", "²", "99999999", "-1"])
def test_dispatch_page_with_a_bad_membership_is_a_form_error(people, membership):
    issue = register(people)
    response = page_client(people.dispatcher).post(
        f"/lists/issues/{issue.pk}/transitions/dispatch/", {"membership": membership}
    )
    assert response.status_code == 400
    assert "membership" in response.context["errors"]
    assert LivelihoodIssue.objects.get(pk=issue.pk).state == "reported"


def test_dispatch_page_refuses_a_membership_outside_the_handling_units(people):
    issue = register(people)
    committee_member = Membership.objects.exclude(unit__kind__in=["branch", "department", "village", "community", "enterprise"]).first()  # fmt: skip
    response = page_client(people.dispatcher).post(
        f"/lists/issues/{issue.pk}/transitions/dispatch/", {"membership": committee_member.pk}
    )
    assert response.status_code == 400


def _issue_extension(people):
    issue = issue_in_state(people, "in_progress")
    return issue_services.issue_extension_request(
        issue=issue, actor=people.handler, new_due_at=issue.due_at + dt.timedelta(days=3), reason="需协调水利站"
    )


def test_work_order_extension_is_approved_from_the_extension_page(people):
    extension = _issue_extension(people)
    response = page_client(people.dispatcher).post(f"/lists/extensions/{extension.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == f"/lists/issues/{extension.issue_id}/"
    extension.refresh_from_db()
    assert extension.state == ExtensionRequest.State.APPROVED
    assert LivelihoodIssue.objects.get(pk=extension.issue_id).due_at == extension.new_due_at


def test_work_order_extension_is_rejected_from_the_extension_page(people):
    extension = _issue_extension(people)
    response = page_client(people.dispatcher).post(
        f"/lists/extensions/{extension.pk}/reject/", {"reject-reason": "期限足够"}
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.state, extension.decision_reason) == ("rejected", "期限足够")


def test_work_order_extension_rejection_without_a_reason_is_refused(people):
    extension = _issue_extension(people)
    response = page_client(people.dispatcher).post(f"/lists/extensions/{extension.pk}/reject/", {}, follow=True)
    assert response.status_code == 200
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "pending"


def test_handler_cannot_decide_their_own_work_order_extension(people):
    extension = _issue_extension(people)
    response = page_client(people.handler).post(f"/lists/extensions/{extension.pk}/approve/")
    assert response.status_code == 403
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "pending"


def test_admin_deletion_of_a_plain_record_is_listed_for_admins(personas):
    from lists.models import TaskCategory

    category = TaskCategory.objects.create(code="spare", name="备用")
    client = page_client(personas.admin)
    response = client.post(f"/admin/lists/taskcategory/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    listing = client.get("/admin/admin/logentry/", {"action_flag__exact": 3})
    assert listing.status_code == 200
    assert "备用" in listing.content.decode()
