"""The township office's set-up pages beyond people and pairings: units, item templates with their
cadence, the working-day calendar, discipline jurisdictions and the bulk import of people.

Every page is scoped to the township the caller administers (``_office_township``): a record
of another township is a 404. Every change goes through a service that logs it with its reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lists import services as list_services
from lists.models import RecurringItemTemplate
from workflows.models import CalendarOverride
from workflows.spreadsheet import ExcelImportError

from . import office, people_import
from .forms import CalendarForm, JurisdictionForm, PeopleImportForm, TemplateForm, UnitCreateForm, UnitEditForm
from .views import _apply, _back, _office_township, _with_reason

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- units --------------------------------------------------------------------------------------


@login_required
def office_units(request):
    township = _office_township(request)
    form = UnitCreateForm(initial={"parent": township.pk})
    form.limit_units(township)
    if request.method == "POST":
        form = UnitCreateForm(request.POST)
        form.limit_units(township)
        if _apply(request, form, lambda d: office.unit_create(township=township, actor=request.user, **d)):
            messages.success(request, _("The unit was created."))
            return _back("office_units", township)
    context = {"township": township, "units": office.units_of(township).select_related("parent"), "form": form}
    return render(request, "organization/office/units.html", context, status=400 if form.errors else 200)


def _unit_form(township, unit, data=None) -> UnitEditForm:
    form = UnitEditForm(data, initial={"name": unit.name, "parent": unit.parent_id})
    form.limit_units(township)
    form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(path__startswith=unit.path)
    if unit.pk == township.pk:
        del form.fields["parent"]
    return form


@login_required
def office_unit(request, pk: int):
    township = _office_township(request)
    unit = get_object_or_404(office.units_of(township).select_related("parent"), pk=pk)
    form = _unit_form(township, unit)
    if request.method == "POST":
        form = _unit_form(township, unit, request.POST)
        run = lambda d: office.unit_update(  # noqa: E731
            township=township, actor=request.user, unit=unit, name=d["name"], parent=d.get("parent"), reason=d["reason"]
        )
        if _apply(request, form, run):
            messages.success(request, _("The unit was saved."))
            return _back("office_unit", township, pk=unit.pk)
    changes = township.administrative_changes.filter(action__startswith="unit_", details__unit=unit.pk).select_related(
        "actor"
    )[:20]
    context = {
        "township": township,
        "unit": unit,
        "children": unit.children.order_by("path"),
        "form": form,
        "changes": changes,
    }
    return render(request, "organization/office/unit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_unit_delete(request, pk: int):
    township = _office_township(request)
    unit = get_object_or_404(office.units_of(township), pk=pk)
    deleted = []

    def run(reason):
        office.unit_delete(township=township, actor=request.user, unit=unit, reason=reason)
        deleted.append(unit)
        return _("The unit was deleted.")

    _with_reason(request, run)
    if deleted:
        return _back("office_units", township)
    return _back("office_unit", township, pk=pk)


# -- item templates ------------------------------------------------------------------------------


def _templates_of(township):
    return RecurringItemTemplate.objects.filter(unit__path__startswith=township.path).select_related(
        "unit", "category", "default_assignee", "lead_leader"
    )


def _template_form(township, data=None, instance=None) -> TemplateForm:
    form = TemplateForm(data, instance=instance)
    form.limit(township, office.people_of(township))
    return form


@login_required
def office_templates(request):
    township = _office_township(request)
    form = _template_form(township)
    if request.method == "POST":
        form = _template_form(township, request.POST)
        run = lambda d: list_services.template_create(  # noqa: E731
            township=township, actor=request.user, reason=d["reason"], **form.changes()
        )
        if _apply(request, form, run):
            messages.success(request, _("The item template was created."))
            return _back("office_templates", township)
    templates = _templates_of(township).order_by("-active", "unit__path", "pk")
    context = {"township": township, "templates": templates, "form": form}
    return render(request, "organization/office/templates.html", context, status=400 if form.errors else 200)


@login_required
def office_template(request, pk: int):
    township = _office_township(request)
    template = get_object_or_404(_templates_of(township), pk=pk)
    form = _template_form(township, instance=template)
    if request.method == "POST":
        form = _template_form(township, request.POST, instance=RecurringItemTemplate.objects.get(pk=template.pk))
        run = lambda d: list_services.template_update(  # noqa: E731
            township=township, actor=request.user, template=template, reason=d["reason"], **form.changes()
        )
        if _apply(request, form, run):
            messages.success(request, _("The item template was saved: lists generated from now on follow it."))
            return _back("office_template", township, pk=template.pk)
    changes = township.administrative_changes.filter(
        action__startswith="template_", details__template=template.pk
    ).select_related("actor")[:20]
    context = {"township": township, "template": template, "form": form, "changes": changes}
    return render(request, "organization/office/template.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_template_action(request, pk: int, action: str):
    township = _office_township(request)
    template = get_object_or_404(_templates_of(township), pk=pk)
    if action not in ("deactivate", "reactivate"):
        raise Http404

    def run(reason):
        list_services.template_set_active(
            township=township, actor=request.user, template=template, active=action == "reactivate", reason=reason
        )
        if action == "reactivate":
            return _("The template is active again: next lists receive it.")
        return _("The template is deactivated: no further list receives it.")

    _with_reason(request, run)
    return _back("office_template", township, pk=template.pk)


# -- the working-day calendar --------------------------------------------------------------------


@login_required
def office_calendar(request):
    township = _office_township(request)
    form = CalendarForm(initial={"unit": township.pk})
    form.limit_units(township)
    if request.method == "POST":
        form = CalendarForm(request.POST)
        form.limit_units(township)
        if _apply(request, form, lambda d: office.calendar_set(township=township, actor=request.user, **d)):
            messages.success(request, _("The day was set. Deadlines already set do not move."))
            return _back("office_calendar", township)
    today = timezone.localdate()
    overrides = office.calendar_overrides_of(township).order_by("-date", "unit__path")
    deployment = CalendarOverride.objects.filter(unit__isnull=True, date__gte=today).order_by("date")[:50]
    context = {
        "township": township,
        "overrides": overrides[:200],
        "deployment": deployment,
        "today": today,
        "form": form,
    }
    return render(request, "organization/office/calendar.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_calendar_remove(request, pk: int):
    township = _office_township(request)
    override = get_object_or_404(office.calendar_overrides_of(township), pk=pk)

    def run(reason):
        office.calendar_remove(township=township, actor=request.user, override=override, reason=reason)
        return _("The day follows the statutory calendar again.")

    _with_reason(request, run)
    return _back("office_calendar", township)


# -- discipline jurisdictions --------------------------------------------------------------------


def _jurisdiction_form(township, data=None, initial=None) -> JurisdictionForm:
    form = JurisdictionForm(data, initial=initial)
    form.limit_units(township)
    return form


@login_required
def office_jurisdictions(request):
    township = _office_township(request)
    form = _jurisdiction_form(township)
    if request.method == "POST":
        form = _jurisdiction_form(township, request.POST)
        if _apply(request, form, lambda d: office.jurisdiction_set(township=township, actor=request.user, **d)):
            messages.success(request, _("The jurisdiction was saved."))
            return _back("office_jurisdictions", township)
    context = {"township": township, "jurisdictions": office.jurisdictions_of(township), "form": form}
    return render(request, "organization/office/jurisdictions.html", context, status=400 if form.errors else 200)


@login_required
def office_jurisdiction(request, pk: int):
    township = _office_township(request)
    jurisdiction = get_object_or_404(office.jurisdictions_of(township), pk=pk)
    initial = {"unit": jurisdiction.unit, "name": jurisdiction.name, "covers": list(jurisdiction.covers.all())}
    form = _jurisdiction_form(township, initial=initial)
    if request.method == "POST":
        form = _jurisdiction_form(township, request.POST)
        run = lambda d: office.jurisdiction_set(  # noqa: E731
            township=township, actor=request.user, jurisdiction=jurisdiction, **d
        )
        if _apply(request, form, run):
            messages.success(request, _("The jurisdiction was saved."))
            return _back("office_jurisdictions", township)
    context = {"township": township, "jurisdiction": jurisdiction, "form": form}
    return render(request, "organization/office/jurisdiction.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_jurisdiction_remove(request, pk: int):
    township = _office_township(request)
    jurisdiction = get_object_or_404(office.jurisdictions_of(township), pk=pk)

    def run(reason):
        office.jurisdiction_remove(township=township, actor=request.user, jurisdiction=jurisdiction, reason=reason)
        return _("The jurisdiction was removed: its commissioners no longer oversee its units.")

    _with_reason(request, run)
    return _back("office_jurisdictions", township)


# -- bulk import of people -----------------------------------------------------------------------


@login_required
def office_import(request):
    township = _office_township(request)
    form, errors = PeopleImportForm(), []
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = people_import.import_people(
                    township=township,
                    actor=request.user,
                    file=form.cleaned_data["file"],
                    reason=form.cleaned_data["reason"],
                )
            except ExcelImportError as error:
                errors = error.errors
            except ValidationError as error:
                errors = error.messages
            else:
                context = {"township": township, "result": result}
                return render(request, "organization/office/import_done.html", context)
    context = {"township": township, "form": form, "errors": errors}
    status = 400 if form.errors or errors else 200
    return render(request, "organization/office/import.html", context, status=status)


@login_required
@require_GET
def office_import_template(request):
    _office_township(request)
    response = HttpResponse(people_import.import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="people-import-template.xlsx"'
    return response
