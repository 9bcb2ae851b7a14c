"""Pages: the office's set-up of WeCom / DingTalk, a person's own links, and the sign-in flow.

Sign-in: ``start`` keeps a random ``state`` in the session and sends the browser to the
vendor's authorisation page; the vendor sends it back to ``callback`` with a code and the same
state. A state the session does not hold (tampered, replayed, from another browser) is refused
before anything is called: the CSRF guard of OAuth. The code gives the person's user id in the
corp, which must be linked to an account: no account is ever made from it.
"""

from __future__ import annotations

import logging
import secrets
import time

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organization import office
from organization.models import Membership, Unit, township_paths_of
from organization.views import _apply, _back, _office_township

from . import services
from .clients import NotAMember, VendorError, client_for
from .forms import LinkForm, VendorAppForm
from .models import AccountLink, Provider, VendorApp

logger = logging.getLogger(__name__)

STATE_SESSION_KEY = "connect_states"
STATE_MAX_AGE = 600  # seconds a sign-in may take at the vendor
STATE_KEEP = 5  # pending sign-ins kept per session (several tabs)


# -- the township office ----------------------------------------------------------------------


def _office_context(request, township: Unit, forms: dict | None = None, link_form=None) -> dict:
    apps = {app.provider: app for app in VendorApp.objects.filter(township=township)}
    forms = forms or {}
    for provider in Provider.values:
        forms.setdefault(provider, VendorAppForm(provider=provider, app=apps.get(provider)))
    return {
        "township": township,
        "panels": [(Provider(p).label, p, forms[p], apps.get(p)) for p in Provider.values],
        "links": AccountLink.objects.filter(township=township)
        .select_related("user")
        .order_by("provider", "user__username"),
        "link_form": link_form or LinkForm(people=office.people_of(township)),
    }


@login_required
def office_connect(request):
    township = _office_township(request)
    if request.method != "POST":
        return render(request, "connect/office/connect.html", _office_context(request, township))
    provider = request.POST.get("provider", "")
    if provider not in Provider.values:
        return render(request, "connect/office/connect.html", _office_context(request, township), status=400)
    app = VendorApp.objects.filter(township=township, provider=provider).first()
    form = VendorAppForm(request.POST, provider=provider, app=app)

    def run(data):
        services.vendor_app_save(township=township, actor=request.user, provider=provider, **data)

    if _apply(request, form, run):
        messages.success(request, _("Saved. The secret is stored and will not be shown again."))
        return _back("connect:office", township)
    context = _office_context(request, township, forms={provider: form})
    return render(request, "connect/office/connect.html", context, status=400)


@login_required
@require_POST
def office_link(request):
    township = _office_township(request)
    form = LinkForm(request.POST, people=office.people_of(township))

    def run(data):
        services.account_link(township=township, actor=request.user, **data)

    if _apply(request, form, run):
        messages.success(request, _("Account linked."))
        return _back("connect:office", township)
    return render(
        request, "connect/office/connect.html", _office_context(request, township, link_form=form), status=400
    )


@login_required
@require_POST
def office_unlink(request, pk: int):
    township = _office_township(request)
    link = get_object_or_404(AccountLink, pk=pk, township=township)
    reason = request.POST.get("reason", "")
    try:
        services.account_unlink(township=township, actor=request.user, link=link, reason=reason)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return render(request, "connect/office/connect.html", _office_context(request, township), status=400)
    messages.success(request, _("Account unlinked."))
    return _back("connect:office", township)


# -- a person's own links ------------------------------------------------------------------------


@login_required
def my_links(request):
    paths = set(township_paths_of(Membership.objects.filter(user=request.user).values_list("unit__path", flat=True)))
    apps = VendorApp.objects.configured().filter(township__path__in=paths).select_related("township")
    links = {link.provider: link for link in AccountLink.objects.filter(user=request.user)}
    rows = [(app, links.get(app.provider)) for app in apps]
    return render(request, "connect/me.html", {"rows": rows, "links": links.values()})


# -- signing in ----------------------------------------------------------------------------------


def _app(provider: str, township_pk: int) -> VendorApp:
    if provider not in Provider.values:
        raise Http404
    app = VendorApp.objects.configured().filter(provider=provider, township_id=township_pk).first()
    if app is None:  # nothing is called for a township that has not configured the vendor
        raise Http404
    return app


def _safe_next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def start(request, provider: str, township: int):
    """Send the browser to the vendor's sign-in page, with a new state kept in the session."""
    app = _app(provider, township)
    intent = "link" if request.GET.get("intent") == "link" else "login"
    if intent == "link" and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    state = secrets.token_urlsafe(24)
    pending = dict(request.session.get(STATE_SESSION_KEY, {}))
    pending[state] = {
        "provider": provider,
        "township": app.township_id,
        "intent": intent,
        "next": _safe_next(request, request.GET.get("next", "")),
        "at": time.time(),
    }
    # Keep the newest few: each start adds one, a callback removes its own.
    request.session[STATE_SESSION_KEY] = dict(sorted(pending.items(), key=lambda kv: kv[1]["at"])[-STATE_KEEP:])
    redirect_uri = request.build_absolute_uri(reverse("connect:callback", kwargs={"provider": provider}))
    # Inside the WeCom client the web authorisation signs in silently; a browser gets the QR code.
    in_wecom = "wxwork" in request.headers.get("User-Agent", "").lower()
    qr = request.GET.get("mode") == "qr" or not in_wecom
    return redirect(client_for(app).authorize_url(redirect_uri=redirect_uri, state=state, qr=qr))


def _refuse(request, message: str, status: int):
    return render(request, "connect/refused.html", {"message": message}, status=status)


def callback(request, provider: str):
    if provider not in Provider.values:
        raise Http404
    state = request.GET.get("state", "")
    pending = dict(request.session.get(STATE_SESSION_KEY, {}))
    started = pending.pop(state, None) if state else None
    if started is not None:
        request.session[STATE_SESSION_KEY] = pending  # a state is good for one callback only
    if started is None or started["provider"] != provider or time.time() - started["at"] > STATE_MAX_AGE:
        logger.warning("%s sign-in refused: unknown or expired state", provider)
        return _refuse(request, _("This sign-in link is not valid for this browser, or it expired. Start again."), 400)
    code = request.GET.get("code") or request.GET.get("authCode") or ""
    if not code:
        return _refuse(request, _("The sign-in was cancelled or not confirmed. Start again."), 400)
    app = VendorApp.objects.configured().filter(provider=provider, township_id=started["township"]).first()
    if app is None:
        raise Http404
    label = app.get_provider_display()
    try:
        external_id = client_for(app).user_id(code)
    except NotAMember:
        external_id = None
    except VendorError as error:
        logger.warning("%s sign-in failed for township %s: %s", provider, app.township_id, error.message)
        return _refuse(
            request, _("%(platform)s could not confirm who you are. Try again later.") % {"platform": label}, 502
        )
    if external_id is None:
        message = _("You are not a member of the %(platform)s organisation of %(township)s.") % {
            "platform": label,
            "township": app.township.name,
        }
        return _refuse(request, message, 403)
    if started["intent"] == "link":
        if not request.user.is_authenticated:
            return redirect("login")
        try:
            services.account_link_self(
                township=app.township, person=request.user, provider=provider, external_id=external_id
            )
        except ValidationError as error:
            return _refuse(request, " ".join(error.messages), 409)
        messages.success(request, _("Your %(platform)s account is linked.") % {"platform": label})
        return redirect("connect:me")
    user = services.linked_user(township=app.township, provider=provider, external_id=external_id)
    if user is None:
        logger.info("%s sign-in refused for township %s: user id not linked", provider, app.township_id)
        message = _(
            "Your %(platform)s account is not linked to a Dutyflow account of %(township)s. Ask your township "
            "office to link it, or sign in with your password and link it yourself under “My sign-in accounts”."
        ) % {"platform": label, "township": app.township.name}
        return _refuse(request, message, 403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(started["next"])
