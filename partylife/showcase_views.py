"""The showcase page (干事担当亮初心, phone first): a branch's brand and achievements, the members'
monthly posts with photos, the branch's nominations, the committee's selections, and honours.
Input is validated by the API's serializers, so the page and the API refuse the same things."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from organization.models import Unit
from organization.scoping import scope_for
from workflows.engine import TransitionError

from . import showcases
from .models import Brand, Honour, ShowcasePost, is_member_of, selects_for
from .selectors import brands_visible_to, honours_visible_to, members_of, party_units_of, showcase_posts_visible_to
from .serializers import HonourSerializer, ShowcasePostSerializer
from .views import _flat_errors, _Request


def _unit(request) -> Unit:
    """The branch asked for (in the caller's township), or the caller's own first branch."""
    scope = scope_for(request.user)
    wanted = request.GET.get("unit") or request.POST.get("unit")
    if wanted:
        if not str(wanted).isdigit():
            raise Http404
        return get_object_or_404(
            Unit.objects.filter(scope.township_q(), kind__in=Unit.PARTY_ORGANISATION_KINDS), pk=int(wanted)
        )
    own = [u for u in party_units_of(request.user) if u.kind == Unit.Kind.BRANCH]
    if own:
        return own[0]
    readable = Unit.objects.filter(scope.township_q(), kind=Unit.Kind.BRANCH)
    if not scope.is_admin:
        readable = readable.filter(scope.readable_units_q() | scope.office_q())
    first = readable.order_by("path").first()
    if first is None:
        raise Http404
    return first


def _reads(user, unit: Unit) -> bool:
    scope = scope_for(user)
    return scope.is_admin or scope.can_read_unit(unit) or is_member_of(user, unit) or scope.administers_in(unit.path)


def _quarter_start(day):
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def _post(request, unit, errs):
    serializer = ShowcasePostSerializer(
        data={"unit": unit.pk, "title": request.POST.get("title", ""), "text": request.POST.get("text", "")},
        context={"request": _Request(request.user)},
    )
    photos = request.FILES.getlist("photos")
    valid = serializer.is_valid()
    try:
        checked = showcases.checked_photos(photos)
    except ValidationError as exc:
        errs.update({"photos": exc.messages})
        return False
    if not valid:
        errs.update(_flat_errors(serializer.errors))
        return False
    data = serializer.validated_data
    showcases.showcase_post(actor=request.user, unit=unit, title=data["title"], text=data["text"], photos=checked)
    messages.success(request, _("Posted on the showcase."))
    return True


def _honour(request, unit, errs, kind):
    body = {
        "unit": unit.pk,
        "kind": kind,
        "title": request.POST.get("title", ""),
        "body": request.POST.get("body", ""),
        "awarded_on": request.POST.get("awarded_on", ""),
        "member": request.POST.get("member") or None,
    }
    if kind == Honour.Kind.ADVANCED_COLLECTIVE:
        year, quarter = showcases.quarter_of(timezone.localdate())
        body.update(
            title=_("Advanced collective, %(year)sQ%(quarter)s") % {"year": year, "quarter": quarter},
            body=str(unit.parent or unit),
            awarded_on=timezone.localdate().isoformat(),
            member=None,
        )
    serializer = HonourSerializer(data=body, context={"request": _Request(request.user)})
    if not serializer.is_valid():
        errs.update(_flat_errors(serializer.errors))
        return False
    data = serializer.validated_data
    showcases.honour_record(
        actor=request.user, unit=unit, title=data["title"], body=data["body"], awarded_on=data["awarded_on"],
        member=data.get("member"), kind=kind,
    )  # fmt: skip
    messages.success(request, _("The honour was recorded."))
    return True


def _brand(request, unit, errs):
    fields = {name: request.POST.get(name, "").strip() for name in ("name", "slogan", "stands_for")}
    missing = {name: [_("This field is required.")] for name, value in fields.items() if not value}
    if missing:
        errs.update(missing)
        return False
    showcases.brand_save(unit=unit, **fields)
    messages.success(request, _("The brand was saved."))
    return True


def _achievement(request, unit, errs):
    brand = Brand.objects.filter(unit=unit).first()
    title, day = request.POST.get("title", "").strip(), parse_date(request.POST.get("achieved_on", "") or "")
    if brand is None:
        errs["title"] = [_("Give the branch its brand first.")]
    if not title:
        errs["title"] = [_("This field is required.")]
    if day is None:
        errs["achieved_on"] = [_("Enter a valid date.")]
    if errs:
        return False
    showcases.achievement_add(
        brand=brand, title=title, achieved_on=day, description=request.POST.get("description", "")
    )
    messages.success(request, _("The achievement was added."))
    return True


def _decide(request, unit, errs, name):
    post = get_object_or_404(
        showcase_posts_visible_to(request.user).filter(unit=unit), pk=request.POST.get("post") or 0
    )
    try:
        if name == "nominate":
            reason = request.POST.get("reason", "").strip()
            if not reason:
                errs["reason"] = [_("Say why the branch nominates it.")]
                return False
            showcases.showcase_nominate(post=post, actor=request.user, reason=reason)
            messages.success(request, _("Nominated for the quarter's selection."))
        else:
            showcases.showcase_select(post=post, actor=request.user)
            messages.success(request, _("Selected: the author is a vanguard member of the quarter."))
    except TransitionError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        errs["post"] = [_("This step is not possible now: the post changed. Reload and try again.")]
        return False
    return True


@login_required
def showcase(request):
    unit = _unit(request)
    if not _reads(request.user, unit):
        raise Http404
    scope = scope_for(request.user)
    member = is_member_of(request.user, unit)
    organises = scope.organises(unit)
    selects = selects_for(request.user, unit)
    errs: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        allowed = {
            "post": member,
            "honour": organises or selects,
            "collective": selects,
            "brand": organises,
            "achievement": organises,
            "nominate": organises,
            "select": selects,
        }
        if not allowed.get(action):
            raise PermissionDenied
        handlers = {
            "post": lambda: _post(request, unit, errs),
            "honour": lambda: _honour(request, unit, errs, Honour.Kind.OUTSIDE),
            "collective": lambda: _honour(request, unit, errs, Honour.Kind.ADVANCED_COLLECTIVE),
            "brand": lambda: _brand(request, unit, errs),
            "achievement": lambda: _achievement(request, unit, errs),
            "nominate": lambda: _decide(request, unit, errs, "nominate"),
            "select": lambda: _decide(request, unit, errs, "select"),
        }
        if handlers[action]():
            return redirect(f"{request.path}?unit={unit.pk}")
    since = _quarter_start(timezone.localdate())
    context = {
        "unit": unit,
        "brand": brands_visible_to(request.user).filter(unit=unit).first(),
        "posts": list(showcase_posts_visible_to(request.user).filter(unit=unit, month__gte=since)[:60]),
        "honours": list(honours_visible_to(request.user).filter(unit=unit)[:30]),
        "members": list(members_of(unit)) if organises or selects else [],
        "member": member,
        "organises": organises,
        "selects": selects,
        "errs": errs,
        "my_units": [u for u in party_units_of(request.user) if u.kind == Unit.Kind.BRANCH],
        "State": ShowcasePost.State,
        "today": timezone.localdate(),
    }
    return render(request, "partylife/showcase.html", context, status=400 if errs else 200)
