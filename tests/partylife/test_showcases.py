"""干事担当亮初心: members post (text and photos), the branch nominates, the committee selects the
quarter's 党员先锋 and 先进集体; honours from outside; brands; all feed the assessment's candidates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from partylife import showcases
from partylife.models import Brand, Honour, ShowcasePhoto, ShowcasePost
from reports.selectors import quarterly_assessment
from workflows.engine import history

URL = "/api/v1/showcase-posts/"


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def post_of(personas, who="cadre", unit=None):
    return showcases.showcase_post(
        actor=getattr(personas, who), unit=unit or personas.branch, title="帮扶困难户", text="走访三户，解决用水问题"
    )


@pytest.mark.parametrize("who,unit", [("cadre", "branch"), ("b_cadre", "b_branch")])
def test_a_member_posts_on_the_branch_showcase_with_photos(personas, api_as, who, unit):
    response = api_as(getattr(personas, who)).post(
        URL,
        {"unit": getattr(personas, unit).pk, "title": "亮初心", "text": "牵头修路", "files": [jpeg(), jpeg("b.jpg")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "posted" and len(body["photos"]) == 2
    assert body["month"] == timezone.localdate().replace(day=1).isoformat()


def test_a_file_that_is_not_a_photo_is_refused(personas, api_as):
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api_as(personas.cadre).post(
        URL, {"unit": personas.branch.pk, "title": "t", "text": "t", "files": [fake]}, format="multipart"
    )
    assert response.status_code == 400 and "files" in response.json()
    assert not ShowcasePost.objects.exists()


@pytest.mark.parametrize("who", ["other_cadre", "b_cadre", "observer"])
def test_only_members_post_on_a_branchs_showcase(personas, api_as, who):
    response = api_as(getattr(personas, who)).post(URL, {"unit": personas.branch.pk, "title": "t", "text": "t"})
    assert response.status_code == 400 and "unit" in response.json()


def test_the_branch_nominates_and_the_committee_selects_a_vanguard(personas, api_as):
    post = post_of(personas)
    url = f"{URL}{post.pk}/transitions/"
    assert api_as(personas.cadre).post(f"{url}nominate/", {"reason": "事迹突出"}).status_code == 403
    assert api_as(personas.organiser).post(f"{url}nominate/", {}).status_code == 400
    assert api_as(personas.organiser).post(f"{url}nominate/", {"reason": "事迹突出"}).status_code == 200
    assert api_as(personas.leader).post(f"{url}select/", {}).status_code == 403  # leads the branch, not the committee
    assert api_as(personas.b_secretary).post(f"{url}select/", {}).status_code == 404
    response = api_as(personas.secretary).post(f"{url}select/", {})
    assert response.status_code == 200 and response.json()["state"] == "selected"
    honour = Honour.objects.get(post=post)
    assert (honour.kind, honour.member, honour.unit) == ("vanguard", personas.cadre, personas.branch)
    assert [row.transition for row in history(post)] == ["post", "nominate", "select"]


def test_the_other_township_selects_its_own(personas):
    post = post_of(personas, "b_cadre", personas.b_branch)
    showcases.showcase_nominate(post=post, actor=personas.b_organiser, reason="带头")
    showcases.showcase_select(post=post, actor=personas.b_secretary)
    assert Honour.objects.get(post=post).member == personas.b_cadre


def test_honours_from_outside_are_recorded_by_organisers_with_date_and_body(personas, api_as):
    body = {
        "unit": personas.branch.pk,
        "member": personas.colleague.pk,
        "title": "省优秀共产党员",
        "body": "中共浙江省委",
        "awarded_on": "2026-11-20",
    }
    assert api_as(personas.cadre).post("/api/v1/honours/", body).status_code == 403
    assert api_as(personas.organiser).post("/api/v1/honours/", {**body, "awarded_on": ""}).status_code == 400
    assert (
        api_as(personas.organiser).post("/api/v1/honours/", {**body, "member": personas.b_cadre.pk}).status_code == 400
    )
    response = api_as(personas.organiser).post("/api/v1/honours/", body)
    assert response.status_code == 201 and response.json()["kind"] == "outside"
    listed = api_as(personas.b_secretary).get("/api/v1/honours/").json()
    assert listed["count"] == 0


def test_only_the_committee_selects_an_advanced_collective(personas, api_as):
    body = {"unit": personas.branch.pk, "kind": "advanced_collective", "title": "先进集体", "body": "镇党委",
            "awarded_on": "2026-12-01"}  # fmt: skip
    assert api_as(personas.organiser).post("/api/v1/honours/", body).status_code == 403
    assert api_as(personas.secretary).post("/api/v1/honours/", body).status_code == 201


def test_honours_and_selections_feed_the_quarters_candidates(personas):
    showcases.honour_record(
        actor=personas.secretary, unit=personas.branch, title="先进集体", body="镇党委",
        awarded_on=timezone.localdate(), kind=Honour.Kind.ADVANCED_COLLECTIVE,
    )  # fmt: skip
    post = post_of(personas)
    showcases.showcase_nominate(post=post, actor=personas.organiser, reason="事迹突出")
    showcases.showcase_select(post=post, actor=personas.secretary)
    today = timezone.localdate()
    assessment = quarterly_assessment(year=today.year, quarter=(today.month - 1) // 3 + 1)
    assert personas.branch.pk in [r.unit.pk for r in assessment.collective_candidates]
    assert personas.cadre.pk in [p.user_id for p in assessment.pioneer_candidates]
    assert personas.other_cadre.pk not in [p.user_id for p in assessment.pioneer_candidates]


# -- the page, phone first ---------------------------------------------------------------------


def test_the_showcase_page_lives_the_branchs_quarter(personas, client):
    client.force_login(personas.cadre)
    response = client.post(
        "/party/showcase/",
        {"action": "post", "unit": personas.branch.pk, "title": "亮初心", "text": "牵头修路", "photos": [jpeg()]},
    )
    assert response.status_code == 302
    post = ShowcasePost.objects.get()
    assert ShowcasePhoto.objects.filter(post=post).count() == 1
    client.force_login(personas.organiser)
    base = {"unit": personas.branch.pk}
    assert client.post("/party/showcase/", {**base, "action": "nominate", "post": post.pk}).status_code == 400
    assert (
        client.post("/party/showcase/", {**base, "action": "nominate", "post": post.pk, "reason": "好"}).status_code
        == 302
    )
    brand = {**base, "action": "brand", "name": "红色管家", "slogan": "有事找管家", "stands_for": "服务群众"}
    assert client.post("/party/showcase/", brand).status_code == 302
    achievement = {**base, "action": "achievement", "title": "市级示范", "achieved_on": "2026-11-01"}
    assert client.post("/party/showcase/", achievement).status_code == 302
    assert client.post("/party/showcase/", {**base, "action": "select", "post": post.pk}).status_code == 403
    client.force_login(personas.secretary)
    assert client.post("/party/showcase/", {**base, "action": "select", "post": post.pk}).status_code == 302
    page = client.get("/party/showcase/", base).content.decode()
    assert "红色管家" in page and "市级示范" in page and "亮初心" in page
    assert Brand.objects.get().unit == personas.branch


@pytest.mark.parametrize("who", ["other_cadre", "b_cadre"])
def test_outsiders_of_the_branch_cannot_post_there(personas, client, who):
    client.force_login(getattr(personas, who))
    response = client.post(
        "/party/showcase/", {"action": "post", "unit": personas.branch.pk, "title": "t", "text": "t"}
    )
    assert response.status_code in (403, 404)
    assert not ShowcasePost.objects.exists()
