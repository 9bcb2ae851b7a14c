import re

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationPreference

PERSONAS = ["leader", "other_leader", "cadre", "other_cadre", "commissioner", "other_commissioner", "observer"]


@pytest.fixture
def inbox(personas):
    """Two notifications for every persona (one read), so "own only" can fail."""
    for name in PERSONAS:
        user = getattr(personas, name)
        Notification.objects.create(
            recipient=user, event="item.assigned", text=f"给{user.username}的新任务", link="/x/"
        )
        Notification.objects.create(
            recipient=user, event="item.verified", text=f"{user.username}的任务已办结", read_at="2026-11-01T08:00Z"
        )
    return personas


@pytest.mark.parametrize("name", PERSONAS)
def test_api_lists_only_own_notifications(inbox, api_as, name):
    user = getattr(inbox, name)
    response = api_as(user).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert set(response.data) == {"count", "next", "previous", "results"}
    assert response.data["count"] == 2
    assert all(user.username in row["text"] for row in response.data["results"])


def test_api_list_filters_unread(inbox, api_as):
    response = api_as(inbox.cadre).get("/api/v1/notifications/?unread=true")
    assert [row["event"] for row in response.data["results"]] == ["item.assigned"]


def test_api_list_query_count_is_bounded(inbox, api_as, django_assert_max_num_queries):
    user = inbox.cadre
    for i in range(20):
        Notification.objects.create(recipient=user, event="item.assigned", text=f"任务{i}")
    client = api_as(user)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/notifications/")
    assert response.data["count"] == 22


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/notifications/"),
        ("post", "/api/v1/notifications/1/read/"),
        ("post", "/api/v1/notifications/read-all/"),
    ],
)
def test_anonymous_api_gets_401(api, method, url, db):
    assert getattr(api, method)(url).status_code == 401


def test_marking_own_notification_read(inbox, api_as):
    notification = Notification.objects.get(recipient=inbox.cadre, read_at__isnull=True)
    response = api_as(inbox.cadre).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 200 and response.data["is_read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("name", [n for n in PERSONAS if n != "cadre"])
def test_marking_another_users_notification_is_404(inbox, api_as, name):
    notification = Notification.objects.get(recipient=inbox.cadre, read_at__isnull=True)
    response = api_as(getattr(inbox, name)).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_unknown_notification_is_404(inbox, api_as):
    assert api_as(inbox.cadre).post("/api/v1/notifications/999999/read/").status_code == 404


def test_read_all_marks_only_own(inbox, api_as):
    response = api_as(inbox.cadre).post("/api/v1/notifications/read-all/")
    assert response.status_code == 200 and response.data == {"marked": 1}
    assert not Notification.objects.filter(recipient=inbox.cadre, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=inbox.other_cadre, read_at__isnull=True).count() == 1


# -- pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/notifications/"),
        ("get", "/notifications/preferences/"),
        ("post", "/notifications/1/read/"),
        ("post", "/notifications/read-all/"),
    ],
)
def test_anonymous_pages_redirect_to_login(client, method, url, db):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PERSONAS)
def test_inbox_page_shows_only_own_notifications(inbox, client, name, django_assert_max_num_queries):
    user = getattr(inbox, name)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get("/notifications/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"给{user.username}的新任务" in body
    other = "cadre001" if user.username != "cadre001" else "cadre006"
    assert f"给{other}的新任务" not in body


def test_header_badge_shows_unread_count(inbox, client):
    Notification.objects.create(recipient=inbox.cadre, event="item.assigned", text="再一条")
    client.force_login(inbox.cadre)
    body = client.get("/").content.decode()
    assert '<span class="badge"' in body and ">2</span>" in body


def test_header_has_no_badge_when_all_read(inbox, client):
    Notification.objects.filter(recipient=inbox.cadre).update(read_at="2026-11-02T08:00Z")
    client.force_login(inbox.cadre)
    assert '<span class="badge"' not in client.get("/").content.decode()


def test_page_marks_own_notification_read(inbox, client):
    notification = Notification.objects.get(recipient=inbox.cadre, read_at__isnull=True)
    client.force_login(inbox.cadre)
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.is_read


def test_page_cannot_mark_another_users_notification(inbox, client):
    notification = Notification.objects.get(recipient=inbox.cadre, read_at__isnull=True)
    client.force_login(inbox.other_cadre)
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404


def test_page_mark_read_rejects_get(inbox, client):
    notification = Notification.objects.get(recipient=inbox.cadre, read_at__isnull=True)
    client.force_login(inbox.cadre)
    assert client.get(f"/notifications/{notification.pk}/read/").status_code == 405


def test_page_mark_all_read(inbox, client):
    client.force_login(inbox.leader)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=inbox.leader, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=inbox.cadre, read_at__isnull=True).exists()


def test_preferences_are_saved(personas, client):
    client.force_login(personas.cadre)
    response = client.post(
        "/notifications/preferences/", {"email_enabled": "on", "quiet_hours": "on", "muted_events": ["sweep", "case"]}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=personas.cadre)
    assert preference.muted_events == ["sweep", "case"]
    assert preference.email_enabled and not preference.webhook_enabled


def test_preferences_bad_input_redisplays_form_with_errors(personas, client):
    client.force_login(personas.cadre)
    response = client.post(
        "/notifications/preferences/", {"email_enabled": "on", "muted_events": ["sweep", "nonsense"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["muted_events"]
    assert re.search(r'<input[^>]*value="sweep"[^>]*checked', response.content.decode())
    assert services.preference_for(user=personas.cadre).muted_events == []


def test_preferences_page_shows_own_settings(personas, client):
    NotificationPreference.objects.create(user=personas.cadre, email_enabled=False)
    client.force_login(personas.cadre)
    response = client.get("/notifications/preferences/")
    assert response.status_code == 200
    assert response.context["form"].instance.user == personas.cadre
    assert response.context["form"].initial["email_enabled"] is False


def test_admin_can_retry_dead_outbox_rows(personas, client, eager_celery, django_capture_on_commit_callbacks):
    from notifications.models import OutboxMessage
    from workflows.events import emit

    emit("item.assigned", subject=personas.branch, recipients=[personas.cadre], context={"title": "走访"})
    row = OutboxMessage.objects.get(channel="in_app")
    OutboxMessage.objects.filter(pk=row.pk).update(state="dead", attempts=3, last_error="boom")
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboxmessage/", {"action": "retry_dead", "_selected_action": [row.pk]}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "sent"
    assert Notification.objects.filter(recipient=personas.cadre).count() == 1


def test_admin_outbox_list_renders(personas, client):
    client.force_login(personas.admin)
    assert client.get("/admin/notifications/outboxmessage/?state__exact=dead").status_code == 200


def test_home_card_counts_unread_in_english(inbox, client):
    client.force_login(inbox.cadre)
    client.cookies["django_language"] = "en"
    assert "You have 1 unread notification." in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_api_list_rows_are_byte_equal_to_the_serializer(inbox, api_as):
    """The list reads plain rows (notification_representations); the one-object serializer stays
    the source of the JSON shape."""
    import json

    from django.contrib.contenttypes.models import ContentType

    from notifications.serializers import NotificationSerializer
    from organization.models import Unit

    Notification.objects.create(
        recipient=inbox.cadre,
        event="case.opened",
        text="督办",
        subject_type=ContentType.objects.get_for_model(Unit),
        subject_id=inbox.branch.pk,
        urgent=True,
    )
    notifications = Notification.objects.filter(recipient=inbox.cadre).order_by("-created_at", "-pk")
    expected = NotificationSerializer(notifications, many=True).data
    answer = api_as(inbox.cadre).get("/api/v1/notifications/")
    assert json.dumps(answer.json()["results"]) == json.dumps(json.loads(json.dumps(expected)))
    assert answer.content.decode().count('"subject_type":"unit"') == 1
