"""The whole leader → cadre → leader journey through the API with token auth and demo accounts."""

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from workflows.models import TransitionLog


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": "dutyflow-demo"}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_leader_cadre_leader_journey_with_tokens(personas):
    leader, cadre = login("leader01"), login("cadre001")
    lst = ok(
        leader.post("/api/v1/lists/", {"unit": personas.branch.pk, "month": "2026-12", "title": "12月"}, format="json"),
        201,
    )
    item = ok(
        leader.post(
            "/api/v1/items/",
            {
                "list": lst["id"],
                "title": "主题党日",
                "standard": "召开并上传记录",
                "assignee": personas.cadre.pk,
                "lead_leader": personas.leader.pk,
                "due_at": (timezone.now() + dt.timedelta(days=10)).isoformat(),
            },
            format="json",
        ),
        201,
    )
    ok(leader.post(f"/api/v1/lists/{lst['id']}/transitions/publish/", {}, format="json"))
    mine = ok(cadre.get("/api/v1/items/?assignee=me"))["results"]
    assert [(i["id"], i["state"]) for i in mine] == [(item["id"], "assigned")]
    assert [t["name"] for t in ok(cadre.get(f"/api/v1/items/{item['id']}/transitions/"))] == ["accept"]

    url = f"/api/v1/items/{item['id']}/transitions/"
    ok(cadre.post(url + "accept/", {}, format="json"))
    ok(cadre.post(url + "report_progress/", {"text": "已通知党员", "percent": 40}, format="json"))
    ok(cadre.post(url + "submit/", {"result": "已召开，记录已上传"}, format="json"))
    assert ok(leader.post(url + "return/", {"reason": "缺少照片"}, format="json"))["state"] == "returned"
    ok(cadre.post(url + "report_progress/", {"text": "补充照片", "percent": 90}, format="json"))
    ok(cadre.post(url + "submit/", {"result": "照片已补充"}, format="json"))
    assert cadre.post(url + "verify/", {}, format="json").status_code == 403  # four-eyes
    done = ok(leader.post(url + "verify/", {}, format="json"))
    assert (done["state"], done["on_time"]) == ("completed", True)

    history = ok(leader.get(f"/api/v1/items/{item['id']}/history/"))
    assert [h["transition"] for h in history] == [
        "assign",
        "accept",
        "report_progress",
        "submit",
        "return",
        "report_progress",
        "submit",
        "verify",
    ]
    assert {h["actor"] for h in history} == {"leader01", "cadre001"}
    assert TransitionLog.objects.count() == 9  # the list's publish plus the item's eight
