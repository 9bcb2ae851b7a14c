"""The Party-affairs staff's three steps (三步走): training with a result, rotation, the month's
list on one page per worker; the office sees who missed training or rotation this year."""

import datetime as dt

import pytest
from django.utils import timezone

from partylife import services
from partylife.models import Rotation


def trained(personas, result="考核合格"):
    training = services.activity_create(
        actor=personas.leader,
        unit=personas.branch,
        kind="training",
        title="党务干部集中培训",
        scheduled_at=timezone.now() - dt.timedelta(minutes=5),
    )
    services.activity_check_in(activity=training, actor=personas.party_worker)
    return services.activity_record(
        activity=training, actor=personas.leader, minutes="培训三天", parts=[], absentees=[], result=result
    )


def test_a_training_is_recorded_with_its_result(personas, api_as):
    training = trained(personas)
    body = api_as(personas.party_worker).get(f"/api/v1/activities/{training.pk}/").json()
    assert body["result"] == "考核合格"


def test_the_office_sees_who_missed_training_or_rotation(personas, client):
    client.force_login(personas.office)
    page = client.get("/party/workers/")
    assert page.status_code == 200
    missed = {row["worker"].pk for row in page.context["missed"]}
    assert personas.party_worker.pk in missed
    trained(personas)
    Rotation.objects.create(
        worker=personas.party_worker, unit=personas.branch, from_post="组织委员", to_post="宣传委员",
        starts_on=timezone.localdate(), months=3, report="熟悉宣传工作", recorded_by=personas.office,
    )  # fmt: skip
    missed = {row["worker"].pk for row in client.get("/party/workers/").context["missed"]}
    assert personas.party_worker.pk not in missed


def test_the_other_townships_office_sees_none_of_ours(personas, client):
    client.force_login(personas.b_office)
    rows = client.get("/party/workers/").context["rows"]
    assert personas.party_worker.pk not in {row["worker"].pk for row in rows}
    assert client.get(f"/party/workers/{personas.party_worker.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["cadre", "party_worker", "commissioner", "b_cadre"])
def test_only_the_office_and_township_leaders_see_the_missing_list(personas, client, who):
    client.force_login(getattr(personas, who))
    assert client.get("/party/workers/").status_code == 403


def test_one_page_shows_the_three_steps_and_the_office_records_a_rotation(personas, client):
    trained(personas)
    client.force_login(personas.office)
    url = f"/party/workers/{personas.party_worker.pk}/"
    assert client.post(url, {"from_post": "组织委员"}).status_code == 400
    form = {
        "from_post": "组织委员",
        "to_post": "宣传委员",
        "starts_on": "2026-10-01",
        "months": "3",
        "report": "轮岗报告",
    }
    assert client.post(url, form).status_code == 302
    client.force_login(personas.party_worker)
    page = client.get(url)
    assert page.status_code == 200
    assert [a.title for a in page.context["trainings"]] == ["党务干部集中培训"]
    assert [r.to_post for r in page.context["rotations"]] == ["宣传委员"]
    assert "items" in page.context
    assert client.post(url, form).status_code == 403  # the worker does not record their own rotation


def test_a_member_of_another_branch_cannot_read_a_workers_page(personas, client):
    client.force_login(personas.other_cadre)
    assert client.get(f"/party/workers/{personas.party_worker.pk}/").status_code == 404
