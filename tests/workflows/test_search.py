"""One search box: items, work orders, pledges and cases the caller may read, Chinese substrings."""

import pytest
from django.db import connection
from django.test import Client

from organization.models import User
from tests.matrix import b_dispatched_issue, b_published_item, dispatched_issue, submitted_pledge, supervision_case


@pytest.fixture
def world(township):
    """青山镇: an item titled 主题党日 (branch 01), a work order about 路灯, a pledge, a case;
    白水镇: its own item and work order with the same words."""
    from lists.models import ResponsibilityItem

    p = township
    case = supervision_case(p)  # opened on a published item of branch 01
    return {
        "item": ResponsibilityItem.objects.get(pk=case.object_id),
        "issue": dispatched_issue(p),
        "pledge": submitted_pledge(p),
        "case": case,
        "b_item": b_published_item(p),
        "b_issue": b_dispatched_issue(p),
    }


def search(api_as, username, q, **params):
    return api_as(User.objects.get(username=username)).get("/api/v1/search/", {"q": q, **params})


def found(response) -> set[tuple[str, int]]:
    assert response.status_code == 200, response.content
    return {(row["subject_type"], row["subject_id"]) for row in response.json()["results"]}


@pytest.mark.django_db
def test_chinese_substring_finds_a_work_order_by_its_description(world, api_as):
    hits = found(search(api_as, "secretary", "路灯"))
    assert ("livelihood_issue", world["issue"].pk) in hits
    assert ("livelihood_issue", world["b_issue"].pk) not in hits


@pytest.mark.django_db
def test_a_two_character_query_finds_an_item(world, api_as):
    hits = found(search(api_as, "leader01", "党日"))
    assert ("item", world["item"].pk) in hits


@pytest.mark.django_db
def test_rows_carry_what_a_client_needs(world, api_as):
    row = next(r for r in search(api_as, "cadre001", "主题党日").json()["results"] if r["subject_type"] == "item")
    assert set(row) >= {"subject_type", "subject_id", "title", "state", "url"}
    assert row["url"] == f"/lists/items/{world['item'].pk}/" or row["url"].endswith(f"/{world['item'].pk}/")
    assert row["state"] == world["item"].state


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, sees_item",
    [
        ("secretary", True),
        ("leader01", True),  # leads branch 01
        ("cadre001", True),  # the assignee
        ("commissioner02", True),  # district 1 holds branch 01
        ("observer01", True),
        ("leader02", False),  # another branch
        ("cadre006", False),
        ("commissioner03", False),  # district 2
        ("office01", False),  # the office takes no business: it reads none
        ("bsecretary", False),
        ("bleader01", False),
        ("bcadre001", False),
        ("bcommissioner01", False),
        ("boffice01", False),
    ],
)
def test_search_finds_only_what_the_caller_may_read(world, api_as, username, sees_item):
    hits = found(search(api_as, username, "主题党日"))
    assert (("item", world["item"].pk) in hits) is sees_item


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["bsecretary", "bleader01", "bcadre001"])
def test_the_other_township_finds_its_own(world, api_as, username):
    hits = found(search(api_as, username, "主题党日"))
    assert ("item", world["b_item"].pk) in hits
    assert ("item", world["item"].pk) not in hits


@pytest.mark.django_db
def test_a_case_is_found_by_its_subject(world, api_as):
    hits = found(search(api_as, "commissioner02", world["case"].subject_title[:4]))
    assert ("supervision_case", world["case"].pk) in hits


@pytest.mark.django_db
def test_a_pledge_is_found_by_its_text(world, api_as):
    text = world["pledge"].text
    hits = found(search(api_as, "leader01", text[2:6]))
    assert ("pledge", world["pledge"].pk) in hits


@pytest.mark.django_db
def test_subject_type_narrows(world, api_as):
    hits = found(search(api_as, "secretary", "路灯", subject_type="item"))
    assert all(kind == "item" for kind, _ in hits)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"q": ""}, {"q": "   "}, {}, {"q": "路灯", "subject_type": "nonsense"}])
def test_bad_queries_are_400_with_the_field(world, api_as, params):
    response = api_as(User.objects.get(username="secretary")).get("/api/v1/search/", params)
    assert response.status_code == 400
    assert set(response.json()) & {"q", "subject_type"}


@pytest.mark.django_db
def test_search_needs_sign_in(api):
    assert api.get("/api/v1/search/", {"q": "路灯"}).status_code == 401


@pytest.mark.django_db
def test_a_long_query_is_cut_not_refused(world, api_as):
    assert search(api_as, "secretary", "路" * 500).status_code == 200


@pytest.mark.django_db
def test_like_wildcards_in_the_query_are_taken_literally(world, api_as):
    assert found(search(api_as, "secretary", "%")) == set()
    assert found(search(api_as, "secretary", "_")) == set()


@pytest.mark.django_db
def test_search_stays_within_fixed_queries(world, api_as, django_assert_max_num_queries):
    client = api_as(User.objects.get(username="secretary"))
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/search/", {"q": "路灯"}).status_code == 200


@pytest.mark.django_db
def test_search_page_groups_hits_in_chinese(world):
    client = Client()
    client.force_login(User.objects.get(username="secretary"))
    body = client.get("/search/", {"q": "路灯"}).content.decode()
    assert "民生问题" in body or "工单" in body
    assert world["issue"].title in body
    assert "搜索" in body


@pytest.mark.django_db
def test_search_page_asks_anonymous_to_sign_in(client):
    response = client.get("/search/", {"q": "路灯"})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_trigram_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert any("title_trgm" in name for name in names)
    assert any("text_trgm" in name for name in names)


@pytest.mark.django_db
def test_an_activity_is_found_by_its_members_and_not_by_the_other_township(township, api_as):
    import datetime as dt

    from django.utils import timezone

    from partylife import services

    activity = services.activity_create(
        actor=township.leader,
        unit=township.branch,
        kind="theme_party_day",
        title="十二月主题党日：党纪教育一刻钟",
        scheduled_at=timezone.now() + dt.timedelta(days=2),
        place="党员活动室",
    )
    assert ("activity", activity.pk) in found(search(api_as, "cadre001", "党纪教育"))
    assert ("activity", activity.pk) not in found(search(api_as, "bcadre001", "党纪教育"))
