from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        from workflows.audit import register_logged_model

        from .inbox import register_inbox_providers
        from .models import Pledge
        from .sweep import register_with_sweep

        register_with_sweep()
        # Chains written before the split were signed under the ``responsibilities`` label.
        register_logged_model(Pledge, audit_app_label="responsibilities")
        register_inbox_providers()
