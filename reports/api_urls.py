from django.urls import path

from . import apis

urlpatterns = [
    path("reports/quarterly/", apis.QuarterlyAssessmentApi.as_view(), name="reports-quarterly"),
    path("reports/quarterly.xlsx", apis.QuarterlyWorkbookApi.as_view(), name="reports-quarterly-xlsx"),
]
