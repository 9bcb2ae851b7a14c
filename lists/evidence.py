"""Evidence files: validation of uploads by their content, and the protected download.

The browser's content type and the file name's extension are not trusted: the type is read
from the first bytes (magic numbers), and Office files are opened as zips and checked for the
part that makes them a document or a workbook. Stored names are sanitised; the files live under
MEDIA_ROOT (never under static) and are served only through ``evidence_download``.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from workflows.images import EXTENSIONS, check_size, heic_to_jpeg, sniff_image

from .models import Evidence
from .selectors import items_visible_to

TEXT_EXTENSIONS = {"txt", "csv", "md"}
# Photos kept as evidence: JPEG and PNG as they come, HEIC converted to JPEG (workflows.images).
EVIDENCE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/heic"}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    safe_name: str
    upload: object = field(default=None, compare=False)  # the file to store, named ``safe_name``


def sanitize_filename(name: str, extension: str) -> str:
    """A safe base name: no directories, no control or shell characters, the detected extension."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\-\u4e00-\u9fff（）()]+", "_", stem, flags=re.UNICODE).strip("._-")[:80]
    return f"{stem or 'file'}.{extension}"


def _sniff_zip(upload) -> tuple[str, str] | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    if "ppt/presentation.xml" in names:
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            # A multi-byte character cut at the end of the sample is still text.
            try:
                data[:-4].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def sniff(upload) -> tuple[str, str] | None:
    """(content type, extension) read from the content, or None when the type is not allowed."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    image_type = sniff_image(upload)
    if image_type in EVIDENCE_IMAGE_TYPES:
        return image_type, EXTENSIONS[image_type]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if extension in TEXT_EXTENSIONS and head and _is_text(head):
        return "text/plain", extension
    return None


def validate_upload(upload) -> CheckedUpload:
    """Check size and type; raise ValidationError with a message for the form otherwise."""
    check_size(upload)
    detected = sniff(upload)
    if detected is None:
        raise ValidationError(
            _("This type of file is not accepted. Upload a PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or text file."),
            code="type",
        )
    content_type, extension = detected
    if content_type == "image/heic":
        upload = heic_to_jpeg(upload)
        content_type, extension = "image/jpeg", "jpg"
    safe_name = sanitize_filename(upload.name, extension)
    upload.name = safe_name
    return CheckedUpload(content_type, extension, safe_name, upload)


def validate_uploads(uploads) -> list[CheckedUpload]:
    """Check several files at once: every bad one is named in the error; nothing is kept unless
    all pass."""
    checked, errors = [], []
    for upload in uploads:
        name = upload.name
        try:
            checked.append(validate_upload(upload))
        except ValidationError as exc:
            errors += [f"{name}: {message}" for message in exc.messages]
    if errors:
        raise ValidationError(errors)
    if not checked:
        raise ValidationError(_("Choose at least one file."), code="required")
    return checked


@login_required
def evidence_download(request, pk: int):
    """Serve an evidence file as an attachment to those who may see its item (404 otherwise)."""
    evidence = get_object_or_404(Evidence, pk=pk, item__in=items_visible_to(request.user).values("pk"))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
