"""Photos on activities' records and on visits: pages and API, checked by content (HEIC → JPEG)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from organization.models import Pairing
from partylife import services
from partylife.models import ActivityPhoto, VisitPhoto


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def heic() -> SimpleUploadedFile:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "HEIF")
    return SimpleUploadedFile("IMG_0001.HEIC", out.getvalue(), content_type="image/heic")


@pytest.fixture
def activity(personas):
    return services.activity_create(
        actor=personas.leader,
        unit=personas.branch,
        kind="study",
        title="午间读书会",
        scheduled_at=timezone.now() - dt.timedelta(minutes=5),
    )


def test_the_record_page_keeps_the_photos(personas, client, activity):
    client.force_login(personas.leader)
    response = client.post(f"/party/activities/{activity.pk}/record/", {"minutes": "读书", "photos": [jpeg(), heic()]})
    assert response.status_code == 302
    names = sorted(ActivityPhoto.objects.filter(activity=activity).values_list("name", flat=True))
    assert len(names) == 2 and all(n.endswith(".jpg") for n in names)


def test_a_bad_photo_keeps_the_activity_unrecorded(personas, client, activity):
    client.force_login(personas.leader)
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(f"/party/activities/{activity.pk}/record/", {"minutes": "读书", "photos": [fake]})
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.state == "scheduled" and not ActivityPhoto.objects.exists()


def test_organisers_add_photos_through_the_api(personas, api_as, activity):
    url = f"/api/v1/activities/{activity.pk}/photos/"
    assert api_as(personas.cadre).post(url, {"files": [jpeg()]}, format="multipart").status_code == 403
    assert api_as(personas.b_leader).post(url, {"files": [jpeg()]}, format="multipart").status_code == 404
    assert api_as(personas.organiser).post(url, {}, format="multipart").status_code == 400
    response = api_as(personas.organiser).post(url, {"files": [jpeg()]}, format="multipart")
    assert response.status_code == 200 and len(response.json()["photos"]) == 1


@pytest.mark.parametrize("town", ["qingshan", "baishui"])
def test_a_visit_is_logged_with_photos(personas, client, api_as, town):
    cadre, branch = (personas.cadre, personas.branch) if town == "qingshan" else (personas.b_cadre, personas.b_branch)
    pairing = Pairing.objects.filter(branch=branch).select_related("partner").first()
    client.force_login(cadre)
    response = client.post(
        "/party/visits/",
        {
            "unit": pairing.partner.pk,
            "visited_on": timezone.localdate().isoformat(),
            "notes": "走访",
            "photos": [jpeg()],
        },
    )
    assert response.status_code == 302
    visit = VisitPhoto.objects.get().visit
    body = api_as(cadre).get(f"/api/v1/visits/{visit.pk}/").json()
    assert len(body["photos"]) == 1
    more = api_as(cadre).post(f"/api/v1/visits/{visit.pk}/photos/", {"files": [jpeg("b.jpg")]}, format="multipart")
    assert more.status_code == 200 and len(more.json()["photos"]) == 2
    other = personas.colleague if town == "qingshan" else personas.b_organiser
    assert api_as(other).post(
        f"/api/v1/visits/{visit.pk}/photos/", {"files": [jpeg()]}, format="multipart"
    ).status_code in (403, 404)
