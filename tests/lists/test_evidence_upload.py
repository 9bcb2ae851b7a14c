"""Evidence from a phone: several files at once, HEIC photos as JPEG, through the page and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lists import services
from lists.models import Evidence
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)
from tests.lists.pages_helpers import build_list
from tests.photos import PNG, heic_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def files(*pairs):
    return [SimpleUploadedFile(name, content) for name, content in pairs]


def api_upload(client, item, *pairs):
    return client.post(f"/api/v1/items/{item.pk}/evidence/", {"file": files(*pairs)}, format="multipart")


def test_the_page_takes_several_files_at_once(personas, item, client_as):
    response = client_as(personas.cadre).post(
        reverse("lists:item-evidence", args=[item.pk]), {"file": files(("a.pdf", PDF), ("b.png", PNG))}
    )
    assert response.status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.png"]


def test_one_bad_file_keeps_all_out_and_is_named(personas, item, client_as):
    response = client_as(personas.cadre).post(
        reverse("lists:item-evidence", args=[item.pk]),
        {"file": files(("a.pdf", PDF), ("x.exe", b"MZ" * 40))},
    )
    assert response.status_code == 200
    assert "x.exe" in " ".join(response.context["evidence_form"].errors["file"])
    assert not Evidence.objects.exists()


def test_a_heic_photo_is_stored_as_jpeg(personas, item, client_as):
    client_as(personas.cadre).post(
        reverse("lists:item-evidence", args=[item.pk]), {"file": files(("IMG_0001.HEIC", heic_bytes()))}
    )
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/jpeg" and evidence.original_name == "IMG_0001.jpg"
    with evidence.file.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"


def test_a_broken_heic_is_refused(personas, item, client_as):
    broken = b"\x00\x00\x00\x1cftypheic" + b"\x00" * 60
    response = client_as(personas.cadre).post(
        reverse("lists:item-evidence", args=[item.pk]), {"file": files(("x.heic", broken))}
    )
    assert response.status_code == 200 and not Evidence.objects.exists()


def test_the_item_page_offers_the_camera_and_several_files(personas, item, client_as):
    body = client_as(personas.cadre).get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    assert 'accept="image/*" capture="environment"' in body and " multiple " in body


@pytest.mark.parametrize(
    ("assignee", "leader", "unit"), [("cadre", "leader", "branch"), ("b_cadre", "b_leader", "b_branch")]
)
def test_the_cadre_uploads_evidence_through_the_api(personas, api_as, assignee, leader, unit):
    lst = build_list(
        personas, unit=getattr(personas, unit), leader=getattr(personas, leader), assignee=getattr(personas, assignee)
    )
    item = lst.items.get()
    response = api_upload(api_as(getattr(personas, assignee)), item, ("a.pdf", PDF), ("p.heic", heic_bytes()))
    assert response.status_code == 201, response.content
    assert [(e["original_name"], e["content_type"]) for e in response.json()] == [
        ("a.pdf", "application/pdf"),
        ("p.jpg", "image/jpeg"),
    ]
    assert response.json()[0]["download"].startswith("/lists/evidence/")


def test_the_api_answers_400_naming_the_bad_file(personas, item, api_as):
    response = api_upload(api_as(personas.cadre), item, ("x.exe", b"MZ" * 40))
    assert response.status_code == 400 and "x.exe" in response.json()["file"][0]


def test_the_api_answers_400_without_a_file(personas, item, api_as):
    response = api_as(personas.cadre).post(f"/api/v1/items/{item.pk}/evidence/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize("who", ["commissioner", "observer", "colleague"])
def test_readers_who_do_not_take_part_get_403(personas, item, api_as, who):
    assert api_upload(api_as(getattr(personas, who)), item, ("a.pdf", PDF)).status_code == 403


@pytest.mark.parametrize("who", ["b_cadre", "b_commissioner", "other_commissioner"])
def test_people_who_cannot_see_the_item_get_404(personas, item, api_as, who):
    assert api_upload(api_as(getattr(personas, who)), item, ("a.pdf", PDF)).status_code == 404


def test_a_cancelled_item_answers_409(personas, item, api_as):
    services.item_cancel(item=item, actor=personas.leader, reason="重复")
    assert api_upload(api_as(personas.cadre), item, ("a.pdf", PDF)).status_code == 409


def test_anonymous_gets_401(item, api_as):
    assert api_upload(api_as(None), item, ("a.pdf", PDF)).status_code == 401
