from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import office
from .forms import MembershipForm, PairingForm, PersonCreateForm, PersonUpdateForm, ReasonForm
from .health import broker_status
from .models import AdministrativeChange, Membership, Pairing, Unit, User
from .scoping import scope_for


@never_cache
def healthz(request):
    """Liveness and dependencies. Always 200 while the database answers; the broker may be down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        database = "unavailable"
    status = "ok" if database == "ok" else "unavailable"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker_status()},
        status=200 if database == "ok" else 503,
    )


@login_required
def home(request):
    """Each role's starting point: the work waiting for them."""
    scope = scope_for(request.user)
    memberships = Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path")
    return render(request, "organization/home.html", {"scope": scope, "memberships": memberships})


# -- the township office (党政办) ---------------------------------------------------------------


def _office_township(request) -> Unit:
    """The township the caller administers (403 for anyone who administers none).

    An office holder administers their own township; an admin picks one with ``?township=``.
    """
    townships = office.townships_administered(request.user)
    if not townships:
        raise PermissionDenied
    wanted = request.GET.get("township") or request.POST.get("township")
    if wanted:
        for township in townships:
            if str(township.pk) == wanted:
                return township
        raise Http404
    return townships[0]


def _back(name: str, township: Unit, **kwargs):
    """Redirect to an office page of the same township (admins may hold several)."""
    return redirect(f"{reverse(name, kwargs=kwargs or None)}?township={township.pk}")


def _apply(request, form, run) -> bool:
    """Run an office service with a valid form; service errors land on the form's fields."""
    if not form.is_valid():
        return False
    try:
        run(form.cleaned_data)
    except ValidationError as error:
        for field_name, messages_ in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, messages_)
        return False
    return True


def _people_rows(township: Unit, people):
    memberships = (
        Membership.objects.filter(user__in=people, unit__path__startswith=township.path)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    by_user: dict[int, list] = {}
    for m in memberships:
        by_user.setdefault(m.user_id, []).append(m)
    return [(person, by_user.get(person.pk, [])) for person in people]


@login_required
def office_home(request):
    township = _office_township(request)
    people = office.people_of(township)
    context = {
        "township": township,
        "townships": office.townships_administered(request.user),
        "people_count": people.count(),
        "inactive_count": people.filter(is_active=False).count(),
        "unit_count": Unit.objects.filter(path__startswith=township.path).count(),
        "pairing_count": Pairing.objects.filter(branch__path__startswith=township.path).count(),
        "changes": AdministrativeChange.objects.filter(township=township).select_related("actor")[:10],
    }
    return render(request, "organization/office/home.html", context)


@login_required
def office_people(request):
    township = _office_township(request)
    people = office.people_of(township).order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    page = Paginator(people, 30).get_page(request.GET.get("page"))
    form = PersonCreateForm()
    form.limit_units(township)
    context = {"township": township, "page": page, "rows": _people_rows(township, page.object_list), "q": query}
    if request.method == "POST":
        form = PersonCreateForm(request.POST)
        form.limit_units(township)
        created = {}

        def run(data):
            created["person"], created["password"] = office.person_create(township=township, actor=request.user, **data)

        if _apply(request, form, run):
            return render(
                request,
                "organization/office/password.html",
                {"township": township, "person": created["person"], "password": created["password"], "created": True},
            )
    context["form"] = form
    return render(request, "organization/office/people.html", context, status=400 if form.errors else 200)


def _person_of(township: Unit, pk: int) -> User:
    return get_object_or_404(office.people_of(township).filter(is_superuser=False), pk=pk)


@login_required
def office_person(request, pk: int):
    township = _office_township(request)
    person = _person_of(township, pk)
    update_form = PersonUpdateForm(initial={"display_name": person.display_name, "phone": person.phone})
    membership_form = MembershipForm()
    membership_form.limit_units(township)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "update":
            update_form = PersonUpdateForm(request.POST)
            done = _apply(
                request,
                update_form,
                lambda d: office.person_update(township=township, actor=request.user, person=person, **d),
            )
            message = _("%(person)s's details were changed.")
        elif action == "add_membership":
            membership_form = MembershipForm(request.POST)
            membership_form.limit_units(township)
            done = _apply(
                request,
                membership_form,
                lambda d: office.membership_add(township=township, actor=request.user, person=person, **d),
            )
            message = _("%(person)s holds the new role.")
        else:
            raise Http404
        if done:
            messages.success(request, message % {"person": person})
            return _back("office_person", township, pk=person.pk)
    memberships = Membership.objects.filter(user=person, unit__path__startswith=township.path).select_related("unit")
    context = {
        "township": township,
        "person": person,
        "memberships": memberships.order_by("unit__path", "role"),
        "update_form": update_form,
        "membership_form": membership_form,
        "reason_form": ReasonForm(),
        "changes": AdministrativeChange.objects.filter(township=township, target__startswith=person.username)[:20],
    }
    invalid = update_form.is_bound and update_form.errors or membership_form.is_bound and membership_form.errors
    return render(request, "organization/office/person.html", context, status=400 if invalid else 200)


@login_required
@require_POST
def office_person_action(request, pk: int, action: str):
    """Deactivate, reactivate or reset the password of a person: each with its reason."""
    township = _office_township(request)
    person = _person_of(township, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why: every change is recorded with its reason."))
        return _back("office_person", township, pk=person.pk)
    reason = form.cleaned_data["reason"]
    try:
        if action == "reset_password":
            password = office.person_reset_password(township=township, actor=request.user, person=person, reason=reason)
            return render(
                request,
                "organization/office/password.html",
                {"township": township, "person": person, "password": password, "created": False},
            )
        if action in ("deactivate", "reactivate"):
            office.person_set_active(
                township=township, actor=request.user, person=person, active=action == "reactivate", reason=reason
            )
            if action == "deactivate":
                messages.success(request, _("%(person)s can no longer sign in.") % {"person": person})
            else:
                messages.success(request, _("%(person)s can sign in again.") % {"person": person})
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back("office_person", township, pk=person.pk)


def _with_reason(request, run) -> None:
    """Run ``run(reason)`` for a POST that carries only a reason; its message says what happened."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why: every change is recorded with its reason."))
        return
    try:
        messages.success(request, run(form.cleaned_data["reason"]))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def office_membership_remove(request, pk: int):
    township = _office_township(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "unit").filter(unit__path__startswith=township.path), pk=pk
    )

    def run(reason):
        office.membership_remove(township=township, actor=request.user, membership=membership, reason=reason)
        return _("%(person)s no longer holds that role in %(unit)s.") % {
            "person": membership.user,
            "unit": membership.unit,
        }

    _with_reason(request, run)
    return _back("office_person", township, pk=membership.user_id)


@login_required
def office_pairings(request):
    township = _office_township(request)
    form = PairingForm()
    form.limit_units(township)
    if request.method == "POST":
        form = PairingForm(request.POST)
        form.limit_units(township)
        if _apply(request, form, lambda d: office.pairing_add(township=township, actor=request.user, **d)):
            messages.success(request, _("The pairing was added."))
            return _back("office_pairings", township)
    pairings = (
        Pairing.objects.filter(branch__path__startswith=township.path)
        .select_related("branch", "partner")
        .order_by("branch__path", "partner__path")
    )
    context = {"township": township, "pairings": pairings, "form": form, "reason_form": ReasonForm()}
    return render(request, "organization/office/pairings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_pairing_remove(request, pk: int):
    township = _office_township(request)
    pairing = get_object_or_404(
        Pairing.objects.select_related("branch", "partner").filter(branch__path__startswith=township.path), pk=pk
    )

    def run(reason):
        office.pairing_remove(township=township, actor=request.user, pairing=pairing, reason=reason)
        return _("The pairing was removed.")

    _with_reason(request, run)
    return _back("office_pairings", township)


@login_required
def office_changes(request):
    township = _office_township(request)
    changes = AdministrativeChange.objects.filter(township=township).select_related("actor")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "organization/office/changes.html", {"township": township, "page": page})
