"""Pages seen as a stand-in (代理): after 代办 on an in-force delegation, the stand-in's requests
run as the person (every page, selector and permission reads as for them), and every log row
the person's steps write names the stand-in as ``actor`` and the person as ``on_behalf_of``
(``workflows.audit.acting_for``). The person's own settings stay theirs: the account, the
admin, the office pages, stand-ins, notification preferences and the API are never run as them.
"""

from __future__ import annotations

from workflows.audit import acting_for

from .selectors import delegations_in_force_for
from .views import ACTING_SESSION_KEY

# Paths a stand-in always sees as themself.
OWN_PATHS = ("/delegations/", "/accounts/", "/admin/", "/office/", "/api/", "/notifications/", "/i18n/", "/logout")


class StandInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        delegation_id = request.session.get(ACTING_SESSION_KEY) if hasattr(request, "session") else None
        if delegation_id is None or not request.user.is_authenticated:
            return self.get_response(request)
        stand_in = request.user
        delegation = next((d for d in delegations_in_force_for(stand_in) if d.pk == delegation_id), None)
        if delegation is None:
            request.session.pop(ACTING_SESSION_KEY, None)  # revoked or over: back to themself
            return self.get_response(request)
        request.stand_in_delegation = delegation
        if request.path.startswith(OWN_PATHS):
            return self.get_response(request)
        request.stand_in = stand_in
        request.user = delegation.delegator
        with acting_for(stand_in, delegation.delegator):
            return self.get_response(request)
