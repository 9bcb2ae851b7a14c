"""Photos from phones, shared by every subject that takes them (item evidence, work-order photos).

The type is read from the first bytes (magic numbers), never from the name or the browser's claim.
Phones (iPhones above all) send HEIC, which most browsers cannot show: it is converted to JPEG on
upload (pillow-heif decodes it, Pillow writes the JPEG) and the HEIC itself is not kept.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# HEIF brands that phones write (iPhones' photos are HEIC).
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
HEIC_JPEG_QUALITY = 88
IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/heic": "heic"}


def sniff_image(upload) -> str | None:
    """The image's content type by its first bytes (JPEG, PNG, GIF, WebP or HEIC), else None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def heic_to_jpeg(upload) -> SimpleUploadedFile:
    """A HEIC photo as a JPEG, turned upright from its EXIF orientation, named like the upload."""
    from PIL import Image, ImageOps, UnidentifiedImageError
    from pillow_heif import register_heif_opener

    register_heif_opener()
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=HEIC_JPEG_QUALITY)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise ValidationError(_("The photo could not be read."), code="heic") from exc
    stem = (upload.name or "photo").rsplit(".", 1)[0]
    return SimpleUploadedFile(f"{stem}.jpg", out.getvalue(), content_type="image/jpeg")


def check_size(upload) -> None:
    """Refuse an empty upload or one above ``EVIDENCE_MAX_BYTES``."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def normalize_photo(upload):
    """(file to store, content type) for a photo: checked by size and content, HEIC as JPEG.

    Raises ValidationError with a message for the form or the API otherwise."""
    check_size(upload)
    content_type = sniff_image(upload)
    if content_type is None:
        raise ValidationError(_("Upload a photo (JPEG, PNG, GIF, WebP or HEIC)."), code="type")
    if content_type == "image/heic":
        return heic_to_jpeg(upload), "image/jpeg"
    return upload, content_type
