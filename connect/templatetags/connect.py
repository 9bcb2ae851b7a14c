from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..models import VendorApp

register = template.Library()


@register.inclusion_tag("connect/_login_buttons.html")
def connect_login_buttons(next_url: str = ""):
    """A sign-in button per configured township application (none when nobody configured one)."""
    apps = VendorApp.objects.configured().select_related("township").order_by("township__path", "provider")
    buttons = []
    for app in apps:
        url = reverse("connect:start", kwargs={"provider": app.provider, "township": app.township_id})
        buttons.append({"app": app, "url": f"{url}?{urlencode({'next': next_url})}" if next_url else url})
    return {"buttons": buttons}
