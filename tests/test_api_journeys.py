"""Black-box journeys through the API with the demo accounts and real tokens (API.md)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from organization.models import Membership, Unit


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": "dutyflow-demo"}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def step(client, url: str, name: str, body: dict | None = None, status: int = 200) -> dict:
    response = client.post(f"{url}transitions/{name}/", body or {}, format="json")
    assert response.status_code == status, (name, response.content)
    return response.json()


@pytest.mark.django_db
def test_pledge_six_steps_with_a_return(township):
    cadre, leader = login("cadre003"), login("leader01")
    due = min(timezone.localdate() + dt.timedelta(days=60), dt.date(timezone.localdate().year, 12, 31))
    created = cadre.post(
        "/api/v1/pledges/",
        {"text": "为结对村老人上门代办医保业务。", "due_date": due.isoformat(), "category": "people_needs"},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/pledges/{created.json()['id']}/"
    step(cadre, url, "submit")
    assert step(leader, url, "return", {"reason": "不够具体：写明每月几户"})["state"] == "draft"
    edited = cadre.patch(url, {"text": "每月为结对村两户老人上门代办医保业务。"}, format="json")
    assert edited.status_code == 200, edited.content
    step(cadre, url, "submit")
    step(leader, url, "approve")
    step(cadre, url, "claim", {"evidence_text": "十一月代办四户，有签字记录"})
    assert step(leader, url, "confirm")["state"] == "fulfilled"
    history = cadre.get(f"{url}history/").json()
    assert [(h["transition"], h["actor"]) for h in history] == [
        ("submit", "cadre003"),
        ("return", "leader01"),
        ("submit", "cadre003"),
        ("approve", "leader01"),
        ("claim", "cadre003"),
        ("confirm", "leader01"),
    ]


@pytest.mark.django_db
def test_urgent_work_order_from_registration_to_closing(township):
    reporter, secretary, handler = login("cadre010"), login("secretary"), login("cadre020")
    village = Unit.objects.get(code="east-village1")
    created = reporter.post(
        "/api/v1/livelihood-issues/",
        {
            "title": "东山村自来水管爆裂，二十户停水",
            "description": "村口主管道爆裂，需尽快抢修",
            "source": "visit",
            "place": str(village.pk),
            "category": "water",
            "urgency": "urgent",
            "reporter_name": "王大爷",
            "reporter_phone": "13812345678",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/livelihood-issues/{created.json()['id']}/"
    unit = Membership.objects.get(user__username="cadre020", role="cadre").unit
    handler_id = Membership.objects.get(user__username="cadre020", role="cadre").user_id
    step(secretary, url, "dispatch", {"handler": handler_id, "unit": unit.pk})
    step(handler, url, "accept")
    step(
        handler,
        url,
        "resolve",
        {
            "result": "已临时接通供水",
            "resolution": "staged",
            "remaining_plan": "更换主管道",
            "remaining_due_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert step(secretary, url, "follow_up", {"satisfaction": "unsatisfied"})["state"] == "resolved"
    step(secretary, url, "reopen")
    step(handler, url, "resolve", {"result": "主管道已更换", "resolution": "substantive"})
    closed = step(secretary, url, "follow_up", {"satisfaction": "satisfied"})
    assert closed["state"] == "closed"
    history = [(h["transition"], h["actor"]) for h in reporter.get(f"{url}history/").json()]
    assert history[0] == ("report", "cadre010")
    assert [t for t, _ in history] == [
        "report", "dispatch", "accept", "resolve", "follow_up", "reopen", "resolve", "follow_up",
    ]  # fmt: skip
