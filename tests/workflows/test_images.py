"""The shared photo checks: types by content, HEIC converted to JPEG, bad input refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.photos import PNG, ROTATED_90, heic_bytes, jpeg_size
from workflows.images import heic_to_jpeg, normalize_photo, sniff_image


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a" + b"\x00" * 32, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "image/webp"),
        (b"<html>not an image</html>", None),
        (b"%PDF-1.4\n", None),
    ],
)
def test_sniff_image_reads_the_content_not_the_name(content, expected):
    assert sniff_image(SimpleUploadedFile("photo.jpg", content)) == expected


def test_sniff_image_knows_a_real_heic():
    assert sniff_image(SimpleUploadedFile("IMG_0001.HEIC", heic_bytes())) == "image/heic"


def test_a_heic_photo_becomes_a_jpeg_of_the_same_picture():
    photo, content_type = normalize_photo(SimpleUploadedFile("IMG_0001.HEIC", heic_bytes((40, 30))))
    data = photo.read()
    assert (content_type, photo.name, jpeg_size(data)) == ("image/jpeg", "IMG_0001.jpg", (40, 30))


def test_a_heic_taken_upright_is_stored_upright():
    photo = heic_to_jpeg(SimpleUploadedFile("p.heic", heic_bytes((40, 30), orientation=ROTATED_90)))
    assert jpeg_size(photo.read()) == (30, 40)


def test_a_png_is_kept_as_it_came():
    upload = SimpleUploadedFile("a.png", PNG)
    assert normalize_photo(upload) == (upload, "image/png")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"MZ" * 40, "type"),
        (b"\x00\x00\x00\x1cftypheic" + b"\x00" * 60, "heic"),
    ],
)
def test_bad_photos_are_refused_with_a_reason(content, code):
    with pytest.raises(ValidationError) as caught:
        normalize_photo(SimpleUploadedFile("x.heic", content))
    assert caught.value.code == code


def test_a_photo_above_the_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 32
    with pytest.raises(ValidationError) as caught:
        normalize_photo(SimpleUploadedFile("a.png", PNG))
    assert caught.value.code == "too_large"
