"""Dashboards: the township view (secretary, observers), a leader's units, a commissioner's jurisdiction."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.scoping import scope_for

from . import selectors
from .apis import XLSX
from .excel import dashboard_workbook
from .forms import QuarterForm
from .metrics import Period


def _view_kind(user) -> str:
    """Which dashboard heading fits: the township's, a commissioner's or a leader's."""
    scope = scope_for(user)
    paths = scope.led_paths + scope.observed_paths + scope.overseen_paths
    if scope.is_admin or any(path.count("/") == 2 for path in paths):  # a root unit: the whole township
        return "township"
    if scope.overseen_paths:
        return "commissioner"
    return "leader"


def _period(request) -> tuple[QuarterForm, int, int]:
    """The form and the quarter asked for (the current one when the input is missing or bad)."""
    if not selectors.may_read_reports(request.user):
        raise PermissionDenied
    year, quarter = selectors.current_quarter()
    form = QuarterForm(request.GET or None, initial={"year": year, "quarter": quarter})
    if form.is_bound and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    return form, year, quarter


@login_required
def dashboard_xlsx(request):
    """The dashboard's tables as an Excel workbook."""
    form, year, quarter = _period(request)
    period = Period.quarter_of(year, quarter)
    content = dashboard_workbook(
        trend=selectors.completion_trend(request.user),
        warnings=selectors.warnings_by_unit(request.user),
        supervision=selectors.supervision_by_unit(request.user, period=period),
        top_overdue=selectors.top_overdue_items(request.user),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard-{year}Q{quarter}.xlsx"'
    return response


MEMBERS_PER_PAGE = 20
#: Party building's rates on the dashboard, beside the business figures (one chart, one column each).
PARTY_BUILDING_RATES = {
    "frequency_met": gettext_lazy("三会一课 held as often as required"),
    "required_parts_complete": gettext_lazy("Required parts complete"),
    "attendance_rate": gettext_lazy("Attendance rate"),
    "visit_coverage": gettext_lazy("Visit coverage"),
}


def _with_party_building(rows) -> list:
    return [r for r in rows if any(r.rates.get(rate) is not None for rate in PARTY_BUILDING_RATES)]


def _party_building_chart(rows) -> dict:
    """Per unit with a Party-building figure, each rate in percent (null where there is nothing to rate)."""
    shown = _with_party_building(rows)
    return {
        "labels": [r.unit.name for r in shown],
        "series": {
            rate: [None if r.rates.get(rate) is None else round(float(r.rates[rate]) * 100, 1) for r in shown]
            for rate in PARTY_BUILDING_RATES
        },
    }


@login_required
def dashboard(request):
    form, year, quarter = _period(request)
    assessment = selectors.assessment_for(request.user, year=year, quarter=quarter)
    scope = scope_for(request.user)
    units = sorted(assessment.unit_rows, key=lambda r: (r.rank or 10**6, r.unit.path))
    ranked = [r for r in units if r.score is not None]
    trend = selectors.completion_trend(request.user)
    warnings = selectors.warnings_by_unit(request.user)
    supervision = selectors.supervision_by_unit(request.user, period=assessment.period)
    overdue_units = [r for r in units if r.counts["overdue_items"]]
    charts = {
        "ranking": {"labels": [r.unit.name for r in ranked], "values": [float(r.score) for r in ranked]},
        "trend": {"labels": [t["month"] for t in trend], "values": [t["rate"] for t in trend]},
        "warnings": {
            "labels": [w["unit"] for w in warnings],
            "series": {level: [w[level] for w in warnings] for level in ("green", "blue", "yellow", "red")},
        },
        "cards": {
            "labels": [s["unit"] for s in supervision],
            "yellow": [s["yellow"] for s in supervision],
            "red": [s["red"] for s in supervision],
        },
        "party_building": _party_building_chart(units),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "assessment": assessment,
            "units": units,
            "rollups": assessment.rollup_rows,
            "persons": Paginator(assessment.persons, MEMBERS_PER_PAGE).get_page(request.GET.get("members")),
            "period_query": urlencode({"year": year, "quarter": quarter}),
            "trend": trend,
            "warnings": warnings,
            "top_overdue": selectors.top_overdue_items(request.user),
            "supervision": supervision,
            "overdue_units": overdue_units,
            "view_kind": _view_kind(request.user),
            "shows_supervision": scope.is_admin or bool(scope.overseen_paths or scope.observed_paths),
            "charts": charts,
            "chart_labels": {
                "score": _("Score"),
                "rate": _("On-time completion rate (%)"),
                "green": _("green"),
                "blue": _("blue"),
                "yellow": _("yellow"),
                "red": _("red"),
                "yellow_cards": _("Yellow cards"),
                "red_cards": _("Red cards"),
                **{rate: str(label) for rate, label in PARTY_BUILDING_RATES.items()},
            },
            "weights": selectors.weight_lines(assessment.scheme),
            "party_rows": _with_party_building(units),
        },
    )


# -- the township office (党政办) edits its scoring scheme ------------------------------------
@login_required
def office_scoring(request):
    """考核评分办法: the township's scheme of a year (weights of the business and the Party-building
    figures, deductions, points, grades, recognition), edited with a reason and logged."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from organization.models import AdministrativeChange
    from organization.views import _office_township  # the office pages' one way to pick the township

    from .forms import ScoringSchemeForm
    from .models import ScoringScheme
    from .services import SCHEME_FIELDS, scoring_scheme_save

    township = _office_township(request)
    year = selectors.current_quarter()[0]
    if request.GET.get("year", "").isdigit() and 2000 <= int(request.GET["year"]) <= 2100:
        year = int(request.GET["year"])
    in_force = ScoringScheme.for_year(year, township=township)
    initial = {"year": year, **{name: getattr(in_force, name) for name in SCHEME_FIELDS}}
    form = ScoringSchemeForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ScoringSchemeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                scoring_scheme_save(
                    township=township,
                    actor=request.user,
                    year=data["year"],
                    values={name: data[name] for name in SCHEME_FIELDS},
                    reason=data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The scoring scheme was saved."))
                return redirect(f"{request.path}?township={township.pk}&year={data['year']}")
        status = 400
    changes = AdministrativeChange.objects.filter(
        township=township, action=AdministrativeChange.Action.SCORING_CHANGE
    ).select_related("actor")[:20]
    context = {
        "township": township,
        "form": form,
        "year": year,
        "own": in_force.township_id == township.pk,
        "in_force": in_force,
        "changes": changes,
    }
    return render(request, "reports/office_scoring.html", context, status=status)
