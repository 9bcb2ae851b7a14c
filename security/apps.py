from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Login protection (django-axes wiring): lockout per username and IP, the lockout answer."""

    name = "security"
    verbose_name = _("Security")

    def ready(self):
        from . import login  # noqa: F401  (connects the lockout signal receiver)
