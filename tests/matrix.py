"""The authorization matrix as data: for every URL name, what each persona gets.

``tests/test_authorization_matrix.py`` walks the URL configuration and fails for any URL name
that has neither a row here nor an exemption, so a new endpoint or page cannot ship without
saying who may use it. To add a row: key it by the URL name (``"namespace:name"``), give one
``Case`` per method, a ``subject`` factory that builds the object the URL is about (it receives
the ``Personas``; the URL kwargs come from ``kwargs(subject)``, ``{"pk": subject.pk}`` by
default) and ``expect(...)``: the status per persona.

The personas, as in DESIGN.md's role table (the subject factories put their objects in
branch 01, assigned to cadre001, with leader01 as lead leader):
``leader`` leader01 leads the unit; ``other_leader`` leader02 leads branch 02; ``assignee``
cadre001; ``other_cadre`` cadre006 of branch 02; ``commissioner`` commissioner02, whose
jurisdiction (district 1) holds branch 01; ``other_commissioner`` commissioner03 (district 2);
``observer`` observer01 (read-only, whole township); ``anonymous``: nobody logged in.
Pages log in with the session, API cases with ``Authorization: Token``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "dutyflow-demo"

PERSONAS: dict[str, str | None] = {
    "leader": "leader01",
    "other_leader": "leader02",
    "assignee": "cadre001",
    "other_cadre": "cadre006",
    "commissioner": "commissioner02",
    "other_commissioner": "commissioner03",
    "observer": "observer01",
    "anonymous": None,
}


def expect(default: int, **per_persona: int) -> dict[str, int]:
    """``expect(200, anonymous=302)``: every persona gets ``default`` unless named."""
    unknown = set(per_persona) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {sorted(unknown)}")
    return {persona: per_persona.get(persona, default) for persona in PERSONAS}


def pk_kwargs(subject) -> dict[str, Any]:
    return {"pk": subject.pk}


@dataclass(frozen=True)
class Case:
    """One method on one URL, with the status every persona must get."""

    expect: Mapping[str, int]
    kind: str = "page"  # "page": session login; "api": token authentication
    method: str = "get"
    subject: Callable[[Any], Any] | None = None  # personas → the object the URL is about
    kwargs: Callable[[Any], dict[str, Any]] = pk_kwargs
    body: Callable[[Any, Any], dict[str, Any]] | None = None  # (user or None, subject) → request body
    note: str = field(default="", compare=False)


# -- subject factories ------------------------------------------------------------------------


def published_item(p):
    """An item of branch 01's December list, assigned to cadre001, lead leader leader01."""
    from django.utils import timezone

    from responsibilities import services

    lst = services.list_create(unit=p.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=p.leader)
    item = services.item_create(
        lst=lst,
        actor=p.leader,
        title="主题党日",
        standard="召开并记录",
        assignee=p.cadre,
        lead_leader=p.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    services.list_publish(lst=lst, actor=p.leader)
    item.refresh_from_db()
    return item


def own_credentials(user, subject) -> dict[str, str]:
    if user is None:
        return {"username": "nobody", "password": "wrong-password"}
    return {"username": user.username, "password": PASSWORD}


# -- the matrix -------------------------------------------------------------------------------

LOGGED_IN_PAGE = expect(200, anonymous=302)
ITEM_READERS = expect(
    200, other_leader=404, other_cadre=404, other_commissioner=404, anonymous=302
)  # the unit's leader, the assignee, the jurisdiction's commissioner and the observer read it

MATRIX: dict[str, tuple[Case, ...]] = {
    "healthz": (Case(expect(200)),),
    "home": (Case(LOGGED_IN_PAGE),),
    "login": (
        Case(expect(302, anonymous=200), note="a logged-in user is sent home"),
        Case(expect(302, anonymous=200), method="post", body=own_credentials, note="anonymous: wrong password"),
    ),
    "logout": (
        Case(expect(302), method="post"),
        Case(expect(405), note="logging out needs a POST"),
    ),
    "admin:index": (Case(expect(302), note="staff only: everyone else is sent to the admin login"),),
    "api-schema": (Case(expect(200), kind="api"),),
    "api-token": (
        Case(expect(200, anonymous=400), kind="api", method="post", body=own_credentials),
        Case(expect(405), kind="api"),
    ),
    "api-me": (Case(expect(200, anonymous=401), kind="api"),),
    "responsibilities:item-detail": (Case(ITEM_READERS, subject=published_item),),
    # -- reports: leaders, commissioners and observers read the assessment of their units; cadres do not
    "reports:dashboard": (Case(expect(200, assignee=403, other_cadre=403, anonymous=302)),),
    "reports:dashboard-xlsx": (Case(expect(200, assignee=403, other_cadre=403, anonymous=302)),),
    "reports-quarterly": (Case(expect(200, assignee=403, other_cadre=403, anonymous=401), kind="api"),),
    "reports-quarterly-xlsx": (Case(expect(200, assignee=403, other_cadre=403, anonymous=401), kind="api"),),
    # -- end reports
}

# URL names with no row, and why. Namespaces listed here are exempt as a whole (but rows in
# MATRIX for them, such as ``admin:index``, are still checked).
EXEMPT_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: staff only (its index is in MATRIX), its own permission system",
}
EXEMPT_NAMES: dict[str, str] = {
    "set_language": "i18n language switch: no data, open to everyone",
}
