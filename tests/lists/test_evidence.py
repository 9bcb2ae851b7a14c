import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lists.evidence import sanitize_filename
from lists.models import Evidence
from tests.lists.pages_helpers import *  # noqa: F403  (fixtures)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, item, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("lists:item-evidence", args=[item.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_assignee_uploads_a_pdf(personas, item, client_as):
    response = upload(client_as(personas.cadre), item, "会议记录.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf" and evidence.original_name == "会议记录.pdf"


def test_docx_is_recognised_by_content(personas, item, client_as):
    upload(client_as(personas.cadre), item, "report.docx", docx_bytes())
    assert Evidence.objects.get().content_type.endswith("wordprocessingml.document")


def test_oversized_file_is_refused(personas, item, client_as, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    response = upload(client_as(personas.cadre), item, "big.pdf", PDF + b"x" * 200)
    assert response.status_code == 200 and "file" in response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


def test_disallowed_type_is_refused_even_with_a_pdf_name(personas, item, client_as):
    response = upload(client_as(personas.cadre), item, "virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")
    assert "file" in response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


def test_zip_that_is_not_an_office_file_is_refused(personas, item, client_as):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    upload(client_as(personas.cadre), item, "x.docx", buffer.getvalue())
    assert not Evidence.objects.exists()


def test_stored_name_is_sanitised(personas, item, client_as):
    upload(client_as(personas.cadre), item, "../../etc/pass wd;rm.png", PNG)
    evidence = Evidence.objects.get()
    assert ".." not in evidence.file.name and ";" not in evidence.file.name
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".png")


def test_sanitize_keeps_chinese_and_uses_the_detected_extension():
    assert sanitize_filename("C:\\docs\\主题党日 照片.exe", "jpg") == "主题党日_照片.jpg"


@pytest.mark.parametrize("who", ["commissioner", "observer", "colleague"])
def test_readers_cannot_upload(who, personas, item, client_as):
    response = upload(client_as(getattr(personas, who)), item, "a.pdf", PDF)
    assert response.status_code == 403


@pytest.fixture
def evidence(personas, item, client_as):
    upload(client_as(personas.cadre), item, "记录.pdf", PDF)
    return Evidence.objects.get()


@pytest.mark.parametrize("who", ["cadre", "leader", "commissioner", "observer"])
def test_download_in_scope_is_an_attachment(who, personas, evidence, client_as):
    response = client_as(getattr(personas, who)).get(reverse("lists:evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["other_leader", "other_cadre", "other_commissioner"])
def test_download_out_of_scope_is_404(who, personas, evidence, client_as):
    response = client_as(getattr(personas, who)).get(reverse("lists:evidence-download", args=[evidence.pk]))
    assert response.status_code == 404


def test_download_by_anonymous_goes_to_login(evidence, client):
    client.logout()
    response = client.get(reverse("lists:evidence-download", args=[evidence.pk]))
    assert response.status_code == 302


def test_text_file_is_accepted(personas, item, client_as):
    upload(client_as(personas.cadre), item, "纪要.txt", "会议纪要：全体党员参加。".encode())
    assert Evidence.objects.get().content_type == "text/plain"


def test_binary_with_a_txt_name_is_refused(personas, item, client_as):
    upload(client_as(personas.cadre), item, "a.txt", b"\x00\x01\x02binary")
    assert not Evidence.objects.exists()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("a.png", PNG, "image/png"),
        ("book.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_types_are_recognised_by_content(name, content, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lists.evidence import validate_upload

    upload_file = SimpleUploadedFile(name, content if content is not None else xlsx_bytes())
    assert validate_upload(upload_file).content_type == expected
