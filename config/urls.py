from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from delegations.office_views import office_handover
from organization.views import healthz
from reports import views as reports_views

api_v1 = [
    path("", include("organization.api_urls")),
    path("", include("lists.api_urls")),
    path("", include("pledges.api_urls")),
    path("", include("issues.api_urls")),
    path("", include("partylife.api_urls")),
    path("", include("delegations.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("workflows.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(api_v1)),
    path("lists/pledges/", include("pledges.urls")),
    path("lists/issues/", include("issues.urls")),
    path("lists/", include("lists.urls")),
    path("party/", include("partylife.urls")),
    path("delegations/", include("delegations.urls")),
    path("office/people/<int:pk>/handover/", office_handover, name="office_handover"),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("", include("connect.urls")),
    path("office/scoring/", reports_views.office_scoring, name="office_scoring"),
    path("", include("workflows.urls")),
    path("", include("organization.urls")),
]


def handler404(request, exception=None):
    """JSON for the API (clients never parse an HTML page); the normal page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
