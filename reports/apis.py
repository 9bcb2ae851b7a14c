import json

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAcceptable, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .excel import assessment_workbook
from .serializers import QuarterlyAssessmentSerializer, QuarterParamsSerializer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the workbook by its media type; error bodies stay JSON."""

    media_type = XLSX
    format = "xlsx"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


class WorkbookNegotiation(DefaultContentNegotiation):
    """An unknown ``format`` is a bad parameter (400); an Accept header naming something else
    still gets the workbook (the body is the workbook whatever was asked)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            raise ValidationError({"format": ["Unknown format: use json or xlsx."]}) from None
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


class _QuarterlyBase(APIView):
    def assessment(self, request):
        if not selectors.may_read_reports(request.user):
            raise PermissionDenied("Only leaders, commissioners and observers read the quarterly assessment.")
        params = QuarterParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year, quarter = selectors.current_quarter()
        data = params.validated_data
        return selectors.assessment_for(request.user, year=data.get("year", year), quarter=data.get("quarter", quarter))


class QuarterlyAssessmentApi(_QuarterlyBase):
    """季度绩效考核: figures, score and rank per unit, points and grade per cadre, candidates."""

    @extend_schema(parameters=[QuarterParamsSerializer], responses={200: QuarterlyAssessmentSerializer})
    def get(self, request):
        assessment = self.assessment(request)
        data = {
            "year": assessment.period.year,
            "quarter": assessment.period.quarter,
            "as_of": assessment.period.as_of,
            "scheme_year": assessment.scheme.year if assessment.scheme.pk else None,
            "weights": selectors.scheme_weights(assessment.scheme),
            "units": assessment.units,
            "persons": assessment.persons,
            "candidates": {
                "collectives": [r.unit.pk for r in assessment.collective_candidates],
                "pioneers": [p.user_id for p in assessment.pioneer_candidates],
            },
        }
        return Response(QuarterlyAssessmentSerializer(data).data)


class QuarterlyWorkbookApi(_QuarterlyBase):
    """The same assessment as an Excel workbook (sheets: branches, roll-up, members)."""

    renderer_classes = [JSONRenderer, XlsxRenderer]
    content_negotiation_class = WorkbookNegotiation

    @extend_schema(
        parameters=[QuarterParamsSerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="An .xlsx workbook.")},
        operation_id="reports_quarterly_xlsx_retrieve",
    )
    def get(self, request):
        assessment = self.assessment(request)
        response = HttpResponse(assessment_workbook(assessment), content_type=XLSX)
        name = f"quarterly-{assessment.period.year}Q{assessment.period.quarter}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
