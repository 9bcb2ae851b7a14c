import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from issues import services
from issues.models import IssuePhoto, LivelihoodIssue
from tests.photos import PNG, heic_bytes, jpeg_size

from .issue_fixtures import issue_in_state, people_fixture, register  # noqa: F401

PERSONAS = ["dispatcher", "handler", "colleague", "other_cadre", "reporter", "commissioner", "observer", "anonymous"]


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


DETAIL_STATUS = {"dispatcher": 200, "handler": 200, "colleague": 200, "other_cadre": 404, "reporter": 200, "commissioner": 200, "observer": 200, "anonymous": 302}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_issue_page_per_persona(persona, people):
    issue = issue_in_state(people, "dispatched")
    response = client_for(people.get(persona)).get(f"/lists/issues/{issue.pk}/")
    assert response.status_code == DETAIL_STATUS[persona]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("", {"anonymous": 302}),
        ("new/", {"anonymous": 302, "commissioner": 403, "observer": 403}),
        ("dispatch/", {"anonymous": 302, "dispatcher": 200}),
        ("mine/", {"anonymous": 302}),
        ("follow-ups/", {"anonymous": 302, "dispatcher": 200}),
        ("places/", {"anonymous": 302}),
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_pages_per_persona(page, expected, persona, people):
    issue_in_state(people, "resolved")
    default = 403 if page in ("dispatch/", "follow-ups/") else 200
    response = client_for(people.get(persona)).get(f"/lists/issues/{page}")
    assert response.status_code == expected.get(persona, default)


def test_dispatch_board_shows_new_orders(people):
    issue = register(people)
    assert issue.title in client_for(people.dispatcher).get("/lists/issues/dispatch/").content.decode()


def test_issue_page_shows_duplicates_to_the_dispatcher(people):
    first = register(people, title="东山村三组路灯不亮")
    second = register(people, title="东山村三组路灯不亮了")
    page = client_for(people.dispatcher).get(f"/lists/issues/{second.pk}/").content.decode()
    assert f"/lists/issues/{first.pk}/" in page


@pytest.mark.parametrize(("persona", "shown"), [("handler", "13812341234"), ("colleague", "138****1234")])
def test_issue_page_masks_the_phone(persona, shown, people):
    issue = issue_in_state(people, "dispatched")
    page = client_for(people.get(persona)).get(f"/lists/issues/{issue.pk}/").content.decode()
    assert shown in page and ("13812341234" in page) == (shown == "13812341234")


def test_register_page_creates_an_issue(people):
    data = {"title": "路面塌陷", "source": "visit", "place_unit": people.village.pk, "category": "roads", "urgency": "urgent", "reporter_phone": "13900001111"}  # fmt: skip
    response = client_for(people.reporter).post("/lists/issues/new/", data)
    issue = LivelihoodIssue.objects.get()
    assert response.status_code == 302 and issue.registered_by == people.reporter


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"title": ""}, "title"), ({"reporter_phone": "110"}, "reporter_phone"), ({"place_unit": ""}, "place_text")],
)
def test_register_page_redisplays_bad_input(bad, field, people):
    data = {"title": "路面塌陷", "source": "visit", "place_unit": people.village.pk, "category": "roads", "urgency": "normal", "description": "保留我"}  # fmt: skip
    data.update(bad)
    response = client_for(people.reporter).post("/lists/issues/new/", data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert "保留我" in response.content.decode()


def test_register_page_with_a_photo(people):
    data = {"title": "路面塌陷", "source": "visit", "place_unit": people.village.pk, "category": "roads", "urgency": "normal", "photo": SimpleUploadedFile("a.png", PNG)}  # fmt: skip
    client_for(people.reporter).post("/lists/issues/new/", data)
    assert IssuePhoto.objects.get().content_type == "image/png"


def test_transition_form_resolves(people):
    issue = issue_in_state(people, "in_progress")
    client_for(people.handler).post(
        f"/lists/issues/{issue.pk}/transitions/resolve/", {"result": "已修复", "resolution": "substantive"}
    )
    issue.refresh_from_db()
    assert issue.state == "resolved"


def test_transition_form_redisplays_errors_and_keeps_input(people):
    issue = issue_in_state(people, "in_progress")
    response = client_for(people.handler).post(
        f"/lists/issues/{issue.pk}/transitions/resolve/", {"result": "修了两盏", "resolution": "staged"}
    )
    assert response.status_code == 400 and "修了两盏" in response.content.decode()


def test_transition_form_forbidden_for_a_colleague(people):
    issue = issue_in_state(people, "dispatched")
    response = client_for(people.colleague).post(f"/lists/issues/{issue.pk}/transitions/accept/", {})
    assert response.status_code == 403


def test_dispatch_form_by_membership(people):
    from organization.models import Membership

    issue = register(people)
    membership = Membership.objects.get(user=people.handler, unit=people.unit)
    client_for(people.dispatcher).post(f"/lists/issues/{issue.pk}/transitions/dispatch/", {"membership": membership.pk})
    issue.refresh_from_db()
    assert (issue.state, issue.handler) == ("dispatched", people.handler)


# -- photos ------------------------------------------------------------------------------------------


def test_api_photo_upload_accepts_a_png(people, api_as):
    issue = register(people)
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    response = api_as(people.reporter).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"


def stored_photo() -> tuple[IssuePhoto, bytes]:
    photo = IssuePhoto.objects.get()
    with photo.file.open("rb") as fh:
        return photo, fh.read()


def test_api_photo_upload_stores_a_heic_as_jpeg(people, api_as):
    issue = register(people)
    upload = SimpleUploadedFile("IMG_0042.HEIC", heic_bytes(), content_type="image/heic")
    response = api_as(people.reporter).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    photo, data = stored_photo()
    assert response.status_code == 201 and response.json()["content_type"] == "image/jpeg"
    assert (photo.original_name, photo.size, jpeg_size(data)) == ("IMG_0042.jpg", len(data), (40, 30))


def test_page_photo_upload_stores_a_heic_as_jpeg(people):
    issue = register(people)
    upload = SimpleUploadedFile("IMG_0043.heic", heic_bytes())
    response = client_for(people.reporter).post(f"/lists/issues/{issue.pk}/photos/", {"file": upload})
    photo, data = stored_photo()
    assert response.status_code == 302 and photo.content_type == "image/jpeg" and data[:3] == b"\xff\xd8\xff"


def test_register_page_with_a_heic_photo(people):
    data = {"title": "路面塌陷", "source": "visit", "place_unit": people.village.pk, "category": "roads", "urgency": "normal", "photo": SimpleUploadedFile("IMG_1.HEIC", heic_bytes())}  # fmt: skip
    response = client_for(people.reporter).post("/lists/issues/new/", data)
    photo, content = stored_photo()
    assert response.status_code == 302 and (photo.content_type, photo.original_name) == ("image/jpeg", "IMG_1.jpg")
    assert jpeg_size(content) == (40, 30)


def test_api_photo_upload_rejects_a_broken_heic(people, api_as):
    issue = register(people)
    upload = SimpleUploadedFile("x.heic", b"\x00\x00\x00\x1cftypheic" + b"\x00" * 60)
    response = api_as(people.reporter).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json() and not IssuePhoto.objects.exists()


def test_api_photo_upload_rejects_a_disguised_file(people, api_as):
    issue = register(people)
    upload = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = api_as(people.reporter).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()


def test_api_photo_upload_rejects_a_large_file(people, api_as, settings):
    settings.EVIDENCE_MAX_BYTES = 32
    issue = register(people)
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    response = api_as(people.reporter).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400


def test_api_photo_upload_forbidden_for_a_colleague(people, api_as):
    issue = issue_in_state(people, "dispatched")
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    response = api_as(people.colleague).post(
        f"/api/v1/livelihood-issues/{issue.pk}/photos/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 403


def test_page_photo_upload_rejects_a_non_image(people):
    issue = register(people)
    upload = SimpleUploadedFile("x.png", b"GIF? no", content_type="image/png")
    response = client_for(people.reporter).post(f"/lists/issues/{issue.pk}/photos/", {"file": upload})
    assert response.status_code == 400 and not IssuePhoto.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_photo_is_served_only_to_those_who_see_the_issue(persona, people):
    issue = issue_in_state(people, "dispatched")
    photo = services.issue_add_photo(
        issue=issue, actor=people.reporter, upload=SimpleUploadedFile("a.png", PNG), content_type="image/png"
    )
    response = client_for(people.get(persona)).get(f"/lists/issues/photos/{photo.pk}/")
    assert response.status_code == DETAIL_STATUS[persona]


# -- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "dispatch/", "mine/", "follow-ups/", "places/"])
def test_list_page_query_count(page, people, django_assert_max_num_queries):
    for n in range(4):
        register(people, title=f"问题{n}")
        issue_in_state(people, "resolved", title=f"已办{n}")
    user = people.handler if page == "mine/" else people.dispatcher
    client = client_for(user)
    client.get(f"/lists/issues/{page}")
    with django_assert_max_num_queries(12):
        assert client.get(f"/lists/issues/{page}").status_code == 200


def test_issue_page_query_count(people, django_assert_max_num_queries):
    issue = issue_in_state(people, "resolved")
    client = client_for(people.dispatcher)
    with django_assert_max_num_queries(25):
        assert client.get(f"/lists/issues/{issue.pk}/").status_code == 200
