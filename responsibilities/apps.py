from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = _("Responsibilities")

    def ready(self):
        from .sweep import register_with_sweep

        register_with_sweep()
