"""Services of 干事担当亮初心 showcases, honours and brands (see ``models/showcases.py``), and the
photos of posts: checked by content (a phone's HEIC becomes a JPEG), images only."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import Unit, User
from workflows.audit import append_log
from workflows.engine import apply_transition

from .models import Brand, BrandAchievement, Honour, ShowcasePhoto, ShowcasePost

PHOTO_TYPES = ("image/jpeg", "image/png")
MAX_PHOTOS = 9


def checked_photos(uploads) -> list:
    """The uploads as photos (JPEG or PNG by their content; HEIC turned into JPEG), or a
    ValidationError naming each bad one."""
    # The evidence checks of lists: content sniffing, safe names, HEIC → JPEG (workflows.images).
    from lists.evidence import validate_upload

    uploads = list(uploads)
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
    photos, errors = [], []
    for upload in uploads:
        name = upload.name
        try:
            checked = validate_upload(upload)
        except ValidationError as exc:
            errors += [f"{name}: {message}" for message in exc.messages]
            continue
        if checked.content_type not in PHOTO_TYPES:
            errors.append(_("%(name)s: not a photo (JPEG, PNG or HEIC).") % {"name": name})
            continue
        photos.append(checked)
    if errors:
        raise ValidationError(errors)
    return photos


def save_photos(model, photos, **owner) -> None:
    """Store checked photos as rows of ``model`` (its ``image`` and ``name``) belonging to ``owner``."""
    for photo in photos:
        row = model(name=photo.safe_name, **owner)
        row.image.save(photo.safe_name, photo.upload, save=False)
        row.save()


@transaction.atomic
def showcase_post(*, actor: User, unit: Unit, title: str, text: str, photos=(), month: dt.date | None = None):
    """亮初心: a member posts what they did this month (caller checked they belong to ``unit``)."""
    post = ShowcasePost.objects.create(
        unit=unit,
        author=actor,
        month=(month or timezone.localdate()).replace(day=1),
        title=title.strip(),
        text=text.strip(),
    )
    save_photos(ShowcasePhoto, photos, post=post)
    append_log(post, transition="post", source="", target=post.state, actor=actor)
    return post


@transaction.atomic
def showcase_nominate(*, post: ShowcasePost, actor: User, reason: str, comment: str = "") -> ShowcasePost:
    """推荐: the branch nominates a post for the quarter's selection."""
    post = ShowcasePost.objects.select_for_update().get(pk=post.pk)
    apply_transition(post, "nominate", actor=actor, comment=reason, payload={"reason": reason}, reason=reason)
    return post


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@transaction.atomic
def showcase_select(*, post: ShowcasePost, actor: User, comment: str = "") -> ShowcasePost:
    """评选: the committee selects a nominated post; its author is the quarter's 党员先锋 (an honour
    the quarterly assessment proposes as a candidate)."""
    post = ShowcasePost.objects.select_for_update().select_related("unit").get(pk=post.pk)
    apply_transition(post, "select", actor=actor, comment=comment)
    year, quarter = quarter_of(post.month)
    Honour.objects.create(
        kind=Honour.Kind.VANGUARD,
        title=_("Vanguard member, %(year)sQ%(quarter)s") % {"year": year, "quarter": quarter},
        body=str(post.unit.parent or post.unit),
        awarded_on=timezone.localdate(),
        member=post.author,
        unit=post.unit,
        post=post,
        recorded_by=actor,
    )
    return post


@transaction.atomic
def honour_record(
    *,
    actor: User,
    unit: Unit,
    title: str,
    body: str,
    awarded_on: dt.date,
    member: User | None = None,
    kind: str = Honour.Kind.OUTSIDE,
) -> Honour:
    """An honour of ``member`` (or of ``unit`` when no member): from outside, or the committee's
    先进集体 of the quarter. Caller checked the actor's right (organisers: outside honours;
    the committee: selections)."""
    return Honour.objects.create(
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        awarded_on=awarded_on,
        member=member,
        unit=unit,
        recorded_by=actor,
    )


@transaction.atomic
def brand_save(*, unit: Unit, name: str, slogan: str, stands_for: str) -> Brand:
    brand, _created = Brand.objects.update_or_create(
        unit=unit, defaults={"name": name.strip(), "slogan": slogan.strip(), "stands_for": stands_for.strip()}
    )
    return brand


def achievement_add(*, brand: Brand, title: str, achieved_on: dt.date, description: str = "") -> BrandAchievement:
    return BrandAchievement.objects.create(
        brand=brand, title=title.strip(), achieved_on=achieved_on, description=description.strip()
    )
