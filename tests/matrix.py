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
The neighbouring township 白水镇's people (``b_secretary``, ``b_leader``, ``b_cadre``,
``b_commissioner``) are in every row: ``expect()`` requires ``township=`` (what they get for a
subject of 青山镇: normally 404 for an object, their own township's page or list otherwise) and
the ``b_…`` factories build 白水镇 subjects for the rows the other way round (``B_READERS``).
Pages log in with the session, API cases with ``Authorization: Token``.

Adding rows for a new app (e.g. the list/item REST API or livelihood issues):

1. Run ``pytest tests/test_authorization_matrix.py -k every_url``: it names the missing URLs.
2. Write (or reuse) a subject factory below that builds the object through the services, in
   branch 01 with cadre001 / leader01 as the other factories do (``published_item``,
   ``draft_list``, ``extension_request``, ``evidence``, ``supervision_case``,
   ``assignee_notification``, ``submitted_pledge``, ``own_branch``).
3. Pick the row from the shapes below: ``ITEM_READERS`` / ``API_READERS`` (read the object),
   ``LEADER_ACTS(status)`` (only the unit's leader acts), ``ITEM_ACTION(default, **persona)``
   (readers who may not act get ``default``), ``CASE_READERS`` / ``CASE_ACTION(status)`` /
   ``CASE_OPENERS(status)`` (supervision), ``LOGGED_IN_PAGE`` / ``API_LOGGED_IN`` (lists filtered
   to the caller). For an API row, turn anonymous into 401: ``{**ITEM_READERS, "anonymous": 401}``.
4. URL kwargs other than ``pk``: ``action_kwargs(name)``, ``decision_kwargs(decision)``,
   ``unit_kwargs``, ``case_open_kwargs``; a body: ``body=lambda user, subject: {...}``.
5. The personas run in ``PERSONAS`` order against ONE subject, so a POST that succeeds changes
   what the personas after it get: say so in ``note``. Prefer a POST that only the legitimate
   persona can perform, or an empty body (the form comes back with its errors: 200/400).
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
    "office": "office01",  # 党政办: administers 青山镇's set-up, decides no business
    "anonymous": None,
    # 白水镇, the neighbouring township: nothing of 青山镇 is theirs to see or act on.
    "b_secretary": "bsecretary",
    "b_leader": "bleader01",
    "b_cadre": "bcadre001",
    "b_commissioner": "bcommissioner01",
    "b_office": "boffice01",
}
OTHER_TOWNSHIP = ("b_secretary", "b_leader", "b_cadre", "b_commissioner", "b_office")


def expect(default: int, *, township: int, **per_persona: int) -> dict[str, int]:
    """``expect(200, anonymous=302, township=200)``: every persona gets ``default`` unless named;
    ``township`` (mandatory, never defaulted) is what the other township's people get, unless
    one of them is named (``b_leader=200``). The township offices (``office``, ``b_office``)
    get what ``other_cadre`` and ``b_cadre`` get unless named."""
    unknown = set(per_persona) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {sorted(unknown)}")
    row = {persona: per_persona.get(persona, default) for persona in PERSONAS}
    row = {**row, **{persona: per_persona.get(persona, township) for persona in OTHER_TOWNSHIP}}
    # The office decides no business: where it is not named it gets what a cadre of another
    # branch of its township gets (other_cadre, b_cadre); rows where it differs name it.
    row["office"] = per_persona.get("office", row["other_cadre"])
    row["b_office"] = per_persona.get("b_office", row["b_cadre"])
    return row


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
    return _published_item(p.branch, p.leader, p.cadre)


def _published_item(branch, leader, cadre):
    from django.utils import timezone

    from lists import services

    lst = services.list_create(unit=branch, month=dt.date(2026, 12, 1), title="12月清单", actor=leader)
    item = services.item_create(
        lst=lst,
        actor=leader,
        title="主题党日",
        standard="召开并记录",
        assignee=cadre,
        lead_leader=leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    services.list_publish(lst=lst, actor=leader)
    item.refresh_from_db()
    return item


def draft_list(p):
    """Branch 01's December list, still a draft (leader01 may edit, publish and import)."""
    from lists import services

    return services.list_create(unit=p.branch, month=dt.date(2026, 12, 1), title="12月清单", actor=p.leader)


def ready_list(p):
    """Branch 01's December list, a draft with one item: leader01 may publish it."""
    from django.utils import timezone

    from lists import services

    lst = draft_list(p)
    services.item_create(
        lst=lst,
        actor=p.leader,
        title="主题党日",
        standard="召开并记录",
        assignee=p.cadre,
        lead_leader=p.leader,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    return lst


def published_list(p):
    return published_item(p).list


def extension_request(p):
    """cadre001 asks for ten more days on ``published_item``; the decision is the lead leader's."""
    from lists import services

    item = published_item(p)
    return services.extension_request(
        item=item, actor=p.cadre, new_due_at=item.due_at + dt.timedelta(days=10), reason="材料未齐"
    )


def evidence(p):
    """A small PDF that cadre001 attached to ``published_item``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lists import services

    item = published_item(p)
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return services.item_add_evidence(item=item, actor=p.cadre, upload=upload, content_type="application/pdf")


def supervision_case(p):
    """督办: commissioner02 opens a case on ``published_item`` (branch 01, district 1)."""
    from supervision import services

    return services.case_open(subject=published_item(p), reason="进度滞后", actor=p.commissioner)


def assignee_notification(p):
    """cadre001's inbox entry for being assigned ``published_item``."""
    from notifications import services
    from notifications.models import Channel, Notification, OutboxMessage

    published_item(p)
    for message in OutboxMessage.objects.filter(recipient=p.cadre, channel=Channel.IN_APP):
        services.outbox_deliver(message_id=message.pk)
    return Notification.objects.filter(recipient=p.cadre).latest("pk")


def submitted_pledge(p, member=None):
    """cadre001's pledge for this year (提诺), submitted to branch 01's leader for review."""
    from pledges import services as pledges

    member = member or p.cadre
    pledge = pledges.pledge_create(
        member=member, text="每月走访两户困难群众。", due_date=dt.date(2026, 12, 20), category="people_needs"
    )
    return pledges.pledge_submit(pledge=pledge, actor=member)


def dispatched_issue(p, dispatcher=None, handler=None, branch=None):
    """A work order (工单) registered and dispatched by leader01 (a dispatcher, 派单) to cadre001
    in branch 01; the place is free text, so only the handling unit decides who reads it."""
    from issues import services
    from issues.models import LivelihoodIssue

    dispatcher, handler, branch = dispatcher or p.leader, handler or p.cadre, branch or p.branch
    issue = services.issue_register(
        actor=dispatcher,
        title="东山村三组路灯不亮",
        description="三组主路六盏路灯损坏，夜间出行不便。",
        source=LivelihoodIssue.Source.VISIT,
        place_text="东山村三组",
        category=LivelihoodIssue.Category.ROADS,
        reporter_name="王大伯",
        reporter_phone="13812341234",
    )
    return services.issue_dispatch(issue=issue, actor=dispatcher, handler=handler, unit=branch)


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def issue_photo(p):
    """A photo cadre001 (the handler) added to ``dispatched_issue``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from issues import services

    issue = dispatched_issue(p)
    upload = SimpleUploadedFile("路灯.png", PNG_BYTES, content_type="image/png")
    return services.issue_add_photo(issue=issue, actor=p.cadre, upload=upload, content_type="image/png")


def own_branch(p):
    return p.branch


# 白水镇's subjects, for the rows the other way round: bleader01 leads bs-branch01, bcadre001
# works there, bsecretary leads the township and dispatches with bleader01, bcommissioner01
# oversees it. 青山镇's people get 404 for every one of them.


def b_published_item(p):
    return _published_item(p.b_branch, p.b_leader, p.b_cadre)


def b_submitted_pledge(p):
    return submitted_pledge(p, member=p.b_cadre)


def b_dispatched_issue(p):
    return dispatched_issue(p, dispatcher=p.b_leader, handler=p.b_cadre, branch=p.b_branch)


def b_supervision_case(p):
    from supervision import services

    return services.case_open(subject=b_published_item(p), reason="进度滞后", actor=p.b_commissioner)


def b_own_branch(p):
    return p.b_branch


def theme_party_day(p, branch=None, leader=None):
    """Branch 01's theme Party day (主题党日), scheduled by leader01 to start in 30 minutes:
    check-in is open."""
    from django.utils import timezone

    from partylife import services

    return services.activity_create(
        actor=leader or p.leader,
        unit=branch or p.branch,
        kind="theme_party_day",
        title="12月主题党日",
        scheduled_at=timezone.now() + dt.timedelta(minutes=30),
        place="三楼会议室",
    )


def b_theme_party_day(p):
    return theme_party_day(p, branch=p.b_branch, leader=p.b_leader)


def branch_obligation(p, branch=None):
    """Branch 01's 三会一课 obligation of this month (支委会), opened as beat opens it."""
    from django.utils import timezone

    from partylife.models import FrequencyObligation
    from partylife.obligations import obligations_open

    obligations_open(as_of=timezone.now())
    return FrequencyObligation.objects.filter(unit=branch or p.branch, kind="committee_meeting").latest("period_start")


def b_branch_obligation(p):
    return branch_obligation(p, branch=p.b_branch)


def showcase_post(p):
    """cadre001's post on branch 01's showcase (干事担当亮初心)."""
    from partylife import showcases

    return showcases.showcase_post(actor=p.cadre, unit=p.branch, title="亮初心", text="牵头修路")


def b_showcase_post(p):
    from partylife import showcases

    return showcases.showcase_post(actor=p.b_cadre, unit=p.b_branch, title="亮初心", text="帮扶")


def branch_honour(p):
    import datetime as dt

    from partylife import showcases

    return showcases.honour_record(
        actor=p.leader,
        unit=p.branch,
        member=p.cadre,
        title="省优秀共产党员",
        body="省委",
        awarded_on=dt.date(2026, 11, 1),
    )


def branch_brand(p):
    from partylife import showcases

    return showcases.brand_save(unit=p.branch, name="红色管家", slogan="有事找管家", stands_for="服务群众")


def branch_visit(p):
    """cadre001's visit to a village paired with branch 01 (千名干部联村企)."""
    from organization.models import Pairing
    from partylife import services

    pairing = Pairing.objects.filter(branch=p.branch).select_related("partner").first()
    return services.visit_create(
        visitor=p.cadre, unit=pairing.partner, branch=p.branch, visited_on=dt.date(2026, 12, 1), notes="走访困难户"
    )


def filed_finding(p):
    """observer01's finding about branch 01 (district 1: commissioner02 decides it)."""
    from partylife import services

    return services.finding_file(actor=p.observer, unit=p.branch, title="签到走过场", description="代签现象")


def b_filed_finding(p):
    from partylife import services

    return services.finding_file(
        actor=p.b_commissioner, unit=p.b_branch, title="会议记录不全", description="缺少议事记录"
    )


def unit_kwargs(subject) -> dict[str, Any]:
    return {"unit_pk": subject.pk}


def action_kwargs(name: str) -> Callable[[Any], dict[str, Any]]:
    """URL kwargs for ``<pk>/…/<name>/`` routes (item actions, pledge and case transitions)."""
    return lambda subject: {"pk": subject.pk, "name": name}


def own_credentials(user, subject) -> dict[str, str]:
    if user is None:
        return {"username": "nobody", "password": "wrong-password"}
    return {"username": user.username, "password": PASSWORD}


def township_person(p):
    """A cadre of 青山镇 for the office pages."""
    return p.colleague


def township_membership(p):
    from organization.models import Membership

    return Membership.objects.get(user=p.colleague, role="cadre")


def township_policy(p):
    """青山镇's own deadline policy (its office set it)."""
    from organization.models import Unit
    from workflows.models import DeadlinePolicy

    return DeadlinePolicy.objects.create(township=Unit.objects.get(code="township"), kind="item", category_code="")


def township_pairing(p):
    from organization.models import Pairing

    return Pairing.objects.filter(branch=p.branch).first()


def township_vendor_app(p):
    """青山镇's WeCom application, set up (nothing is called to build its sign-in redirect)."""
    from connect.models import VendorApp
    from organization.models import Unit

    return VendorApp.objects.create(
        township=Unit.objects.get(code="township"), provider="wecom", corp_id="ww1", agent_id="1000002", secret="s"
    )


def b_vendor_app(p):
    """白水镇's DingTalk application, set up."""
    from connect.models import VendorApp
    from organization.models import Unit

    return VendorApp.objects.create(
        township=Unit.objects.get(code="bs-township"),
        provider="dingtalk",
        corp_id="ding1",
        agent_id="3",
        app_key="key",
        secret="s",
    )


def unconfigured_township(p):
    from organization.models import Unit

    return Unit.objects.get(code="township")


def township_account_link(p):
    """cadre002 of 青山镇 linked to a WeCom user id by the office."""
    from connect.models import AccountLink
    from organization.models import Unit

    return AccountLink.objects.create(
        user=p.colleague,
        township=Unit.objects.get(code="township"),
        provider="wecom",
        external_id="x",
        linked_by=p.office,
    )


def vendor_app_kwargs(app) -> dict[str, Any]:
    return {"provider": app.provider, "township": app.township_id}


def township_template(p, branch=None):
    """An item template of branch 01 (the office edits its cadence)."""
    from lists.models import RecurringItemTemplate

    return RecurringItemTemplate.objects.create(unit=branch or p.branch, title="每月主题党日", standard="有记录")


def b_township_template(p):
    return township_template(p, branch=p.b_branch)


def township_day(p):
    """A day off for 青山镇 ten days from now (the office may restore it)."""
    from django.utils import timezone

    from workflows.models import CalendarOverride

    return CalendarOverride.objects.create(
        date=timezone.localdate() + dt.timedelta(days=10), unit=p.unit("township"), is_working_day=False
    )


def township_district(p):
    """青山镇's district 1 (villages and people under it)."""
    return p.unit("district1")


def b_township_district(p):
    return p.unit("bs-district1")


def township_jurisdiction(p):
    """District 1's discipline jurisdiction (commissioner02's)."""
    return p.commissioner.memberships.get(role="commissioner").unit.jurisdiction


def _stand_in(person, deputy):
    from django.utils import timezone

    from delegations import services

    today = timezone.localdate()
    return services.delegation_create(
        delegator=person, delegate=deputy, starts_on=today, ends_on=today + dt.timedelta(days=3), reason="外出"
    )


def cadre_stand_in(p):
    """cadre001 (the assignee) names cadre002 their stand-in (代理)."""
    return _stand_in(p.cadre, p.colleague)


def b_cadre_stand_in(p):
    return _stand_in(p.b_cadre, p.b_organiser)


def leader_stand_in(p):
    """leader01 names leader02 their stand-in."""
    return _stand_in(p.leader, p.other_leader)


# -- the matrix -------------------------------------------------------------------------------

LOGGED_IN_PAGE = expect(200, anonymous=302, township=200)
# The township office's pages: office01 and boffice01 open their own township's; everyone else 403.
OFFICE_ONLY = expect(403, anonymous=302, township=403, office=200, b_office=200)


def OFFICE_ACTS(status: int, *, subject: bool = True) -> dict[str, int]:
    """office01 gets ``status``; boffice01 404 for a record of 青山镇 (``subject``) or ``status``
    on its own township's page; everyone else 403."""
    return {**OFFICE_ONLY, "office": status, "b_office": 404 if subject else status}


ITEM_READERS = expect(
    200, other_leader=404, other_cadre=404, other_commissioner=404, anonymous=302, township=404
)  # the unit's leader, the assignee, the jurisdiction's commissioner and the observer read it

API_LOGGED_IN = expect(200, anonymous=401, township=200)
# A 白水镇 subject: its own leaders, the assignee and its commissioner read it; 青山镇 nobody.
# The other township's office reads none of its business objects either.
B_READERS = expect(404, anonymous=302, township=200, b_office=404)
API_B_READERS = {**B_READERS, "anonymous": 401}
B_CASE_READERS = {**B_READERS, "b_cadre": 404}
B_HANDLER_ONLY = {**API_B_READERS, "b_secretary": 403, "b_leader": 403, "b_commissioner": 403}
# A branch's pledge board (公示) is public within its own township only.
BOARD_READERS = expect(200, anonymous=302, township=404)
B_BOARD_READERS = expect(404, anonymous=302, township=200)
API_READERS = {**ITEM_READERS, "anonymous": 401}
SHOWCASE_READERS = {**API_READERS, "office": 200}  # a branch's showcase and honours: its township's office reads them
UNIT_LEADERS_ONLY_NEW = expect(
    403, leader=200, other_leader=200, anonymous=302, township=403, b_secretary=200, b_leader=200
)
OVERSIGHT_ONLY = expect(
    403, commissioner=200, other_commissioner=200, observer=200, anonymous=302, township=403, b_commissioner=200
)
# A supervision case is read by the unit's leaders, the jurisdiction's commissioners and observers.
CASE_READERS = expect(404, leader=200, commissioner=200, observer=200, anonymous=302, township=404)
API_CASE_READERS = {**CASE_READERS, "anonymous": 401}


def LEADER_ACTS(status: int) -> dict[str, int]:
    """The unit's leader gets ``status``; other readers 403, those who cannot see it 404."""
    return {**ITEM_READERS, "leader": status, "assignee": 403, "commissioner": 403, "observer": 403}


def ITEM_ACTION(default: int = 403, **per_persona: int) -> dict[str, int]:
    """Readers who may not act get 403 (or ``default``); out-of-scope users 404; anonymous login."""
    readers = {"leader", "assignee", "commissioner", "observer"}
    row = {persona: (default if persona in readers else status) for persona, status in ITEM_READERS.items()}
    return {**row, **per_persona}


def CASE_ACTION(status: int) -> dict[str, int]:
    """Only the jurisdiction's commissioner acts on a case; its other readers get 403."""
    return {**CASE_READERS, "leader": 403, "observer": 403, "commissioner": status}


def CASE_OPENERS(status: int) -> dict[str, int]:
    """督办 is opened by the jurisdiction's commissioner; readers of the subject 403, others 404."""
    return {**ITEM_READERS, "leader": 403, "assignee": 403, "observer": 403, "commissioner": status}


def API_LEADER_ACTS(status: int) -> dict[str, int]:
    return {**LEADER_ACTS(status), "anonymous": 401}


API_LEADERS_CREATE = expect(
    403, leader=400, other_leader=400, anonymous=401, township=403, b_secretary=400, b_leader=400
)


def no_changes(user, subject) -> dict[str, Any]:
    return {}


def no_kwargs(subject) -> dict[str, Any]:
    return {}


def extension_body(user, item) -> dict[str, Any]:
    return {"item": item.pk, "new_due_at": (item.due_at + dt.timedelta(days=7)).isoformat(), "reason": "汛期"}


def new_issue(user, subject) -> dict[str, str]:
    return {"title": "西山村路面塌陷", "description": "村口路面塌陷。", "place": "西山村村口", "category": "roads"}


def decision_kwargs(decision: str) -> Callable[[Any], dict[str, Any]]:
    return lambda subject: {"pk": subject.pk, "decision": decision}


def case_open_kwargs(item) -> dict[str, Any]:
    return {"subject_type": "item", "subject_id": item.pk}


def case_act_body(user, case) -> dict[str, str]:
    return {"action": "yellow_card", "note": "限期整改"}


def case_close_body(user, case) -> dict[str, str]:
    return {"conclusion": "已整改到位"}


MATRIX: dict[str, tuple[Case, ...]] = {
    "healthz": (Case(expect(200, township=200)),),
    "home": (Case(LOGGED_IN_PAGE),),
    "login": (
        Case(expect(302, anonymous=200, township=302), note="a logged-in user is sent home"),
        Case(
            expect(302, anonymous=200, township=302),
            method="post",
            body=own_credentials,
            note="anonymous: wrong password",
        ),
    ),
    "logout": (
        Case(expect(302, township=302), method="post"),
        Case(expect(405, township=405), note="logging out needs a POST"),
    ),
    "admin:index": (Case(expect(302, township=302), note="staff only: everyone else is sent to the admin login"),),
    "api-schema": (
        Case(expect(200, anonymous=401, township=200), kind="api"),
        Case(expect(200, anonymous=401, township=200), note="a signed-in browser reads it with its session"),
    ),
    "api-token": (
        Case(expect(200, anonymous=400, township=200), kind="api", method="post", body=own_credentials),
        Case(expect(405, township=405), kind="api"),
    ),
    "api-me": (Case(expect(200, anonymous=401, township=200), kind="api"),),
    "lists:item-detail": (
        Case(ITEM_READERS, subject=published_item),
        Case(B_READERS, subject=b_published_item),
    ),
    "api-token-revoke": (
        Case(
            expect(204, anonymous=401, township=204),
            kind="api",
            method="post",
            note="revokes the token it is sent with",
        ),
        Case(expect(401, township=401), method="post", note="a session has no token to revoke"),
    ),
    # -- lists and items (pages) --
    "lists:list-index": (Case(LOGGED_IN_PAGE, note="each sees the lists of their own scope"),),
    "lists:list-create": (
        Case(UNIT_LEADERS_ONLY_NEW, method="post", note="leaders get the empty form back with its errors"),
        Case(expect(405, anonymous=302, township=405), note="the new-list form lives on the list index"),
    ),
    "lists:list-detail": (
        Case(ITEM_READERS, subject=draft_list),
        Case(ITEM_READERS, subject=published_list),
    ),
    "lists:list-publish": (Case(LEADER_ACTS(302), method="post", subject=draft_list),),
    "lists:list-delete": (
        Case(
            LEADER_ACTS(302),
            method="post",
            subject=published_list,
            note="leader01: refused with a message (only drafts go), so the list stays for the others",
        ),
    ),
    "lists:list-close": (
        Case(LEADER_ACTS(200), method="post", subject=published_list, note="leader01: the form back (open items)"),
    ),
    "lists:list-export": (Case(ITEM_READERS, subject=published_list),),
    "lists:list-import": (Case(LEADER_ACTS(200), subject=draft_list),),
    "lists:list-import-template": (Case(LOGGED_IN_PAGE),),
    "lists:item-create": (
        Case(LEADER_ACTS(200), subject=draft_list),
        Case(LEADER_ACTS(200), method="post", subject=draft_list, note="leader01: the empty form back with errors"),
    ),
    "lists:my-tasks": (Case(LOGGED_IN_PAGE, note="each sees their own tasks"),),
    "lists:verification-queue": (Case(LOGGED_IN_PAGE, note="each sees what awaits their own check"),),
    "lists:extension-queue": (Case(LOGGED_IN_PAGE, note="each sees the requests awaiting them"),),
    "lists:extension-decide": (
        Case(LEADER_ACTS(302), method="post", subject=extension_request, kwargs=decision_kwargs("approve")),
        Case(expect(405, anonymous=302, township=405), subject=extension_request, kwargs=decision_kwargs("approve")),
    ),
    "lists:item-edit": (
        Case(LEADER_ACTS(302), subject=published_item, note="leader01: a published item is sent back to its page"),
    ),
    "lists:item-delete": (Case(LEADER_ACTS(302), method="post", subject=published_item),),
    "lists:item-action": (
        Case(
            ITEM_ACTION(leader=403, assignee=302),
            method="post",
            subject=published_item,
            kwargs=action_kwargs("accept"),
            note="签收 is the assignee's; the unit's leader is refused",
        ),
    ),
    "lists:item-evidence": (
        Case(ITEM_ACTION(leader=200, assignee=200), method="post", subject=published_item, note="no file: form back"),
    ),
    "lists:item-comment": (
        Case(ITEM_ACTION(leader=200, assignee=200), method="post", subject=published_item, note="no text: form back"),
    ),
    "lists:item-extension": (
        Case(ITEM_ACTION(leader=403, assignee=200), method="post", subject=published_item, note="no date: form back"),
        Case(expect(405, anonymous=302, township=405), subject=published_item),
    ),
    "lists:evidence-download": (Case(ITEM_READERS, subject=evidence),),
    # -- pledges (pages) --
    "pledges:pledge-mine": (Case(LOGGED_IN_PAGE),),
    "pledges:pledge-review": (
        Case(expect(403, leader=200, other_leader=200, anonymous=302, township=403, b_secretary=200, b_leader=200)),
    ),
    "pledges:pledge-boards": (Case(LOGGED_IN_PAGE, note="the boards are public (公示)"),),
    "pledges:pledge-board": (
        Case(BOARD_READERS, subject=own_branch, kwargs=unit_kwargs),
        Case(B_BOARD_READERS, subject=b_own_branch, kwargs=unit_kwargs),
    ),
    "pledges:pledge-board-export": (
        Case(BOARD_READERS, subject=own_branch, kwargs=unit_kwargs),
        Case(B_BOARD_READERS, subject=b_own_branch, kwargs=unit_kwargs),
    ),
    "pledges:pledge-detail": (
        Case(ITEM_READERS, subject=submitted_pledge),
        Case(B_READERS, subject=b_submitted_pledge),
    ),
    "pledges:pledge-edit": (
        Case(LEADER_ACTS(403), subject=submitted_pledge, note="a submitted pledge is no longer editable"),
    ),
    "pledges:pledge-transition": (
        Case(
            expect(403, leader=302, anonymous=302, township=404),
            method="post",
            subject=submitted_pledge,
            kwargs=action_kwargs("approve"),
            note="leader01 approves; the approved pledge is on the public board, and approving is no one else's: 403",
        ),
    ),
    "pledges:pledge-check": (
        Case(
            ITEM_ACTION(400, leader=400, assignee=400, commissioner=400, observer=400),
            method="post",
            subject=submitted_pledge,
            note="readers: the empty form back with errors",
        ),
    ),
    "pledges:pledge-evaluate": (
        Case(
            ITEM_ACTION(400, leader=400, assignee=400, commissioner=400, observer=400),
            method="post",
            subject=submitted_pledge,
            note="readers: the empty form back with errors",
        ),
    ),
    # -- pledges (API) --
    "pledge-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope and the boards"),
        Case(
            expect(
                400,
                commissioner=403,
                other_commissioner=403,
                observer=403,
                anonymous=401,
                township=400,
                b_secretary=403,
                b_commissioner=403,
                office=403,
                b_office=403,
            ),
            kind="api",
            method="post",
            note="members pledge (400 for the empty body); oversight roles and a secretary with no branch do not",
        ),
    ),
    "pledge-detail": (
        Case(API_READERS, kind="api", subject=submitted_pledge),
        Case(API_B_READERS, kind="api", subject=b_submitted_pledge),
        Case(
            expect(404, leader=403, assignee=409, commissioner=403, observer=403, anonymous=401, township=404),
            kind="api",
            method="patch",
            subject=submitted_pledge,
            body=no_changes,
            note="only its author edits a pledge, and only before it is submitted",
        ),
    ),
    "pledge-checks": (Case(API_READERS, kind="api", subject=submitted_pledge),),
    "pledge-evaluations": (Case(API_READERS, kind="api", subject=submitted_pledge),),
    "pledge-history": (Case(API_READERS, kind="api", subject=submitted_pledge),),
    "pledge-transitions": (Case(API_READERS, kind="api", subject=submitted_pledge),),
    "pledge-take-transition": (
        Case(
            expect(403, leader=200, anonymous=401, township=404),
            kind="api",
            method="post",
            subject=submitted_pledge,
            kwargs=action_kwargs("approve"),
            note="leader01 approves; the approved pledge is public, and approving is no one else's: 403",
        ),
    ),
    # -- lists, items and extensions (API) --
    "api-inbox": (Case(API_LOGGED_IN, kind="api", note="each sees their own open flow tasks"),),
    "api-inbox-done": (Case(API_LOGGED_IN, kind="api", note="each sees what they did (已办)"),),
    "api-list-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope"),
        Case(API_LEADERS_CREATE, kind="api", method="post", note="leaders: 400 for the empty body"),
    ),
    "api-list-detail": (
        Case(API_READERS, kind="api", subject=draft_list),
        Case(API_READERS, kind="api", subject=published_list),
        Case(API_LEADER_ACTS(200), kind="api", method="patch", subject=draft_list, body=no_changes),
        Case(API_LEADER_ACTS(409), kind="api", method="delete", subject=published_list, note="only drafts go"),
    ),
    "api-list-history": (Case(API_READERS, kind="api", subject=published_list),),
    "api-list-transitions": (Case(API_READERS, kind="api", subject=draft_list),),
    "api-list-take-transition": (
        Case(
            {**API_READERS, "leader": 200, "assignee": 403, "commissioner": 403, "observer": 403},
            kind="api",
            method="post",
            subject=ready_list,
            kwargs=action_kwargs("publish"),
            note="leader01 publishes; publishing is never the readers' to take: 403 whatever the state",
        ),
    ),
    "api-item-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope"),
        Case(API_LEADERS_CREATE, kind="api", method="post", note="leaders: 400 for the empty body"),
    ),
    "api-item-detail": (
        Case(API_READERS, kind="api", subject=published_item),
        Case(API_B_READERS, kind="api", subject=b_published_item),
        Case(API_LEADER_ACTS(409), kind="api", method="patch", subject=published_item, body=no_changes),
        Case(API_LEADER_ACTS(409), kind="api", method="delete", subject=published_item, note="only drafts go"),
    ),
    "api-item-history": (Case(API_READERS, kind="api", subject=published_item),),
    "api-item-transitions": (Case(API_READERS, kind="api", subject=published_item),),
    "api-item-take-transition": (
        Case(
            {**API_READERS, "leader": 403, "assignee": 200, "commissioner": 403, "observer": 403},
            kind="api",
            method="post",
            subject=published_item,
            kwargs=action_kwargs("accept"),
            note="签收 is the assignee's alone: everyone else who sees the item is refused with 403",
        ),
        Case(
            B_HANDLER_ONLY,
            kind="api",
            method="post",
            subject=b_published_item,
            kwargs=action_kwargs("accept"),
            note="白水镇's item: bcadre001 accepts, its leaders and commissioner 403, 青山镇 404",
        ),
    ),
    "api-extension-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope"),
        Case(
            expect(400, leader=403, assignee=201, commissioner=403, observer=403, anonymous=401, township=400),
            kind="api",
            method="post",
            subject=published_item,
            kwargs=no_kwargs,
            body=extension_body,
            note="only the responsible cadre asks (延期申请); readers 403; an item out of scope is a field error",
        ),
    ),
    "api-extension-detail": (Case(API_READERS, kind="api", subject=extension_request),),
    "api-extension-history": (Case(API_READERS, kind="api", subject=extension_request),),
    "api-extension-transitions": (Case(API_READERS, kind="api", subject=extension_request),),
    "api-extension-take-transition": (
        Case(
            {**API_READERS, "leader": 200, "assignee": 403, "commissioner": 403, "observer": 403},
            kind="api",
            method="post",
            subject=extension_request,
            kwargs=action_kwargs("approve"),
            note="the lead leader approves; deciding is never the readers': 403 whatever the state",
        ),
    ),
    # -- livelihood issues (work orders) --
    "livelihood-issue-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope"),
        Case(
            expect(
                201,
                commissioner=403,
                other_commissioner=403,
                observer=403,
                anonymous=401,
                township=201,
                b_commissioner=403,
                office=403,
                b_office=403,
            ),
            kind="api",
            method="post",
            body=new_issue,
            note="cadres and leaders register (受理); oversight roles do not",
        ),
    ),
    "livelihood-issue-detail": (
        Case(API_READERS, kind="api", subject=dispatched_issue),
        Case(API_B_READERS, kind="api", subject=b_dispatched_issue),
    ),
    "livelihood-issue-history": (Case(API_READERS, kind="api", subject=dispatched_issue),),
    "livelihood-issue-transitions": (Case(API_READERS, kind="api", subject=dispatched_issue),),
    "livelihood-issue-photos": (
        Case(API_READERS, kind="api", subject=dispatched_issue),
        Case(
            {**API_READERS, "leader": 400, "assignee": 400, "commissioner": 403, "observer": 403},
            kind="api",
            method="post",
            subject=dispatched_issue,
            note="the dispatcher and the handler get 400 (no file); other readers 403",
        ),
    ),
    "livelihood-issue-take-transition": (
        Case(
            {**API_READERS, "leader": 403, "assignee": 200, "commissioner": 403, "observer": 403},
            kind="api",
            method="post",
            subject=dispatched_issue,
            kwargs=action_kwargs("accept"),
            note="签收 is the handler's alone: everyone else who sees the work order gets 403",
        ),
        Case(
            B_HANDLER_ONLY,
            kind="api",
            method="post",
            subject=b_dispatched_issue,
            kwargs=action_kwargs("accept"),
            note="白水镇's order: bcadre001 accepts, its dispatchers and commissioner 403, 青山镇 404",
        ),
    ),
    "lists:inbox": (Case(LOGGED_IN_PAGE, note="each sees their own open flow tasks"),),
    "lists:inbox-done": (Case(LOGGED_IN_PAGE, note="each sees what they did (已办)"),),
    "issues:issue-list": (Case(LOGGED_IN_PAGE, note="filtered to the caller's scope"),),
    "issues:issue-register": (
        Case(
            expect(
                200,
                commissioner=403,
                other_commissioner=403,
                observer=403,
                anonymous=302,
                township=200,
                b_commissioner=403,
                office=403,
                b_office=403,
            )
        ),
        Case(
            expect(
                200,
                commissioner=403,
                other_commissioner=403,
                observer=403,
                anonymous=302,
                township=200,
                b_commissioner=403,
                office=403,
                b_office=403,
            ),
            method="post",
            note="cadres and leaders register: the empty form back with its errors",
        ),
    ),
    "issues:issue-dispatch-board": (
        Case(
            expect(403, leader=200, anonymous=302, township=403, b_secretary=200, b_leader=200), note="dispatchers only"
        ),
    ),
    "issues:issue-mine": (Case(LOGGED_IN_PAGE, note="each sees the orders they handle"),),
    "issues:issue-follow-ups": (
        Case(
            expect(403, leader=200, anonymous=302, township=403, b_secretary=200, b_leader=200), note="dispatchers only"
        ),
    ),
    "issues:issue-places": (Case(LOGGED_IN_PAGE, note="counts of the orders the caller may read"),),
    "issues:issue-detail": (
        Case(ITEM_READERS, subject=dispatched_issue),
        Case(B_READERS, subject=b_dispatched_issue),
    ),
    "issues:issue-transition": (
        Case(
            ITEM_ACTION(leader=403, assignee=302),
            method="post",
            subject=dispatched_issue,
            kwargs=action_kwargs("accept"),
            note="签收 is the handler's; readers who may not take it are refused",
        ),
    ),
    "issues:issue-photo-upload": (
        Case(
            ITEM_ACTION(leader=400, assignee=400),
            method="post",
            subject=dispatched_issue,
            note="the dispatcher and the handler: no file, the page back with the error",
        ),
    ),
    "issues:issue-photo": (Case(ITEM_READERS, subject=issue_photo),),
    # -- supervision --
    "supervision:queue": (Case(OVERSIGHT_ONLY, note="each commissioner's queue holds their jurisdiction"),),
    "supervision:overview": (
        Case(expect(200, assignee=403, other_cadre=403, anonymous=302, township=200, b_cadre=403)),
    ),
    "supervision:case-list": (Case(LOGGED_IN_PAGE, note="filtered to the caller's scope"),),
    "supervision:case-detail": (
        Case(CASE_READERS, subject=supervision_case),
        Case(B_CASE_READERS, subject=b_supervision_case),
    ),
    "supervision:case-act": (
        Case(CASE_ACTION(302), method="post", subject=supervision_case, body=case_act_body),
        Case(CASE_ACTION(400), method="post", subject=supervision_case, note="no action: the form back"),
    ),
    "supervision:case-close": (Case(CASE_ACTION(302), method="post", subject=supervision_case, body=case_close_body),),
    "supervision:case-open": (
        Case(CASE_OPENERS(200), subject=published_item, kwargs=case_open_kwargs),
        Case(CASE_OPENERS(400), method="post", subject=published_item, kwargs=case_open_kwargs, note="no reason"),
    ),
    "api-overdue-queue": (
        Case(
            expect(
                200,
                leader=403,
                other_leader=403,
                assignee=403,
                other_cadre=403,
                anonymous=401,
                township=403,
                b_commissioner=200,
            ),
            kind="api",
        ),
    ),
    "supervision-case-list": (
        Case(API_LOGGED_IN, kind="api", note="filtered to the caller's scope"),
        Case(
            expect(403, commissioner=400, other_commissioner=400, anonymous=401, township=403, b_commissioner=400),
            kind="api",
            method="post",
            note="commissioners open cases (400 for the empty body); no one else does",
        ),
    ),
    "supervision-case-detail": (
        Case(API_CASE_READERS, kind="api", subject=supervision_case),
        Case({**B_CASE_READERS, "anonymous": 401}, kind="api", subject=b_supervision_case),
    ),
    "supervision-case-history": (Case(API_CASE_READERS, kind="api", subject=supervision_case),),
    "supervision-case-transitions": (Case(API_CASE_READERS, kind="api", subject=supervision_case),),
    "supervision-case-take-transition": (
        Case(
            {**CASE_ACTION(200), "observer": 403, "anonymous": 401},
            kind="api",
            method="post",
            subject=supervision_case,
            kwargs=action_kwargs("close"),
            body=case_close_body,
            note="commissioner02 closes; the observer may never close a case: 403 whatever the state",
        ),
    ),
    # -- notifications --
    "notifications:inbox": (Case(LOGGED_IN_PAGE, note="each reads their own inbox"),),
    "notifications:read": (
        Case(
            expect(404, assignee=302, anonymous=302, township=404),
            method="post",
            subject=assignee_notification,
            note="a notification is its recipient's alone",
        ),
    ),
    "notifications:read-all": (
        Case(expect(302, township=302), method="post", note="marks the caller's own; anonymous: login"),
    ),
    "notifications:preferences": (Case(LOGGED_IN_PAGE),),
    "api-notifications": (Case(API_LOGGED_IN, kind="api"),),
    "api-notifications-read-all": (Case(API_LOGGED_IN, kind="api", method="post"),),
    "api-notification-read": (
        Case(
            expect(404, assignee=200, anonymous=401, township=404),
            kind="api",
            method="post",
            subject=assignee_notification,
        ),
    ),
    # -- reports: leaders, commissioners and observers read the assessment of their units; cadres do not
    "reports:dashboard": (Case(expect(200, assignee=403, other_cadre=403, anonymous=302, township=200, b_cadre=403)),),
    "reports:dashboard-xlsx": (
        Case(expect(200, assignee=403, other_cadre=403, anonymous=302, township=200, b_cadre=403)),
    ),
    "reports-quarterly": (
        Case(expect(200, assignee=403, other_cadre=403, anonymous=401, township=200, b_cadre=403), kind="api"),
    ),
    "reports-quarterly-xlsx": (
        Case(expect(200, assignee=403, other_cadre=403, anonymous=401, township=200, b_cadre=403), kind="api"),
    ),
    # -- Party life: activities (members read, organisers act), visits, findings (the discipline side)
    "partylife:activity-index": (Case(LOGGED_IN_PAGE),),
    "partylife:activity-new": (
        Case(UNIT_LEADERS_ONLY_NEW, note="organisers: the unit's leaders, 支部委员, 党务工作者"),
    ),
    "partylife:activity-detail": (
        Case(ITEM_READERS, subject=theme_party_day),
        Case(B_READERS, subject=b_theme_party_day),
    ),
    "partylife:activity-check-in": (
        Case(
            expect(404, leader=302, assignee=302, commissioner=403, observer=403, anonymous=302, township=404),
            method="post",
            subject=theme_party_day,
            note="members check in for themselves",
        ),
    ),
    "partylife:activity-record": (Case(LEADER_ACTS(200), subject=theme_party_day),),
    "partylife:activity-cancel": (
        Case(LEADER_ACTS(400), method="post", subject=theme_party_day, note="the empty form: a reason is required"),
    ),
    "partylife:activity-makeup": (Case(ITEM_ACTION(403), method="post", subject=theme_party_day),),
    "partylife:visit-index": (
        Case(LOGGED_IN_PAGE),
        Case(
            expect(
                400,
                commissioner=403,
                other_commissioner=403,
                observer=403,
                anonymous=302,
                township=400,
                b_secretary=403,
                b_commissioner=403,
                office=403,
                b_office=403,
            ),
            method="post",
            note="members of a paired branch log visits (400 for the empty form)",
        ),
    ),
    "partylife:visit-coverage": (Case(LOGGED_IN_PAGE),),
    "partylife:finding-index": (Case(LOGGED_IN_PAGE),),
    "activity-photos": (
        Case(
            {**ITEM_ACTION(403), "leader": 400, "anonymous": 401},
            kind="api",
            method="post",
            subject=theme_party_day,
            note="the unit's organisers (no file: the field error)",
        ),
    ),
    "visit-photos": (
        Case(
            {**ITEM_ACTION(403), "assignee": 400, "anonymous": 401},
            kind="api",
            method="post",
            subject=branch_visit,
            note="the visitor (no file: the field error)",
        ),
    ),
    "partylife:showcase": (
        Case(LOGGED_IN_PAGE, note="the caller's own branch, or the first of their township"),
        Case(expect(403, anonymous=302, township=403), method="post", note="no action: nobody may"),
    ),
    "showcase-post-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "showcase-post-detail": (
        Case(SHOWCASE_READERS, kind="api", subject=showcase_post, note="the township office reads its showcase"),
        Case({**API_B_READERS, "b_office": 200}, kind="api", subject=b_showcase_post),
    ),
    "showcase-post-transitions": (Case(SHOWCASE_READERS, kind="api", subject=showcase_post),),
    "showcase-post-history": (Case(SHOWCASE_READERS, kind="api", subject=showcase_post),),
    "showcase-post-take-transition": (
        Case(
            {**ITEM_ACTION(403), "leader": 400, "anonymous": 401, "office": 403},
            kind="api",
            method="post",
            subject=showcase_post,
            kwargs=action_kwargs("nominate"),
            note="the branch's organisers nominate (the empty body: a reason is required)",
        ),
    ),
    "honour-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "honour-detail": (Case(SHOWCASE_READERS, kind="api", subject=branch_honour),),
    "brand-list": (Case(API_LOGGED_IN, kind="api"),),
    "brand-detail": (
        Case(expect(200, anonymous=401, township=404), kind="api", subject=branch_brand, note="public in the township"),
    ),
    "partylife:worker-index": (
        Case(
            expect(403, anonymous=302, township=403, b_secretary=200, office=200, b_office=200),
            note="the office and the township's leaders (secretary) see who missed training or rotation",
        ),
    ),
    "partylife:worker-detail": (
        Case(
            {**ITEM_READERS, "assignee": 200, "office": 200},
            subject=lambda p: p.party_worker,
            note="the worker, the readers of their branch, the office",
        ),
        Case(
            expect(
                400,
                other_leader=404,
                other_cadre=404,
                other_commissioner=404,
                assignee=403,
                commissioner=403,
                observer=403,
                anonymous=302,
                township=404,
                office=400,
            ),
            method="post",
            subject=lambda p: p.party_worker,
            note="the branch's organisers record a rotation (the empty form: 400)",
        ),  # fmt: skip
    ),
    "partylife:obligation-index": (Case(LOGGED_IN_PAGE, note="filtered to the branches the caller reads"),),
    "activity-obligation-list": (Case(API_LOGGED_IN, kind="api"),),
    "activity-obligation-detail": (
        Case(API_READERS, kind="api", subject=branch_obligation),
        Case(API_B_READERS, kind="api", subject=b_branch_obligation),
    ),
    "partylife:finding-detail": (
        Case(expect(404, commissioner=200, observer=200, anonymous=302, township=404), subject=filed_finding),
        Case(expect(404, anonymous=302, township=404, b_commissioner=200), subject=b_filed_finding),
    ),
    "partylife:finding-decide": (
        Case(
            expect(404, commissioner=400, observer=403, anonymous=302, township=404),
            method="post",
            subject=filed_finding,
            kwargs=action_kwargs("dismiss"),
            note="the empty form: a reason is required",
        ),
    ),
    "activity-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "activity-detail": (
        Case(API_READERS, kind="api", subject=theme_party_day),
        Case(API_B_READERS, kind="api", subject=b_theme_party_day),
    ),
    "activity-transitions": (Case(API_READERS, kind="api", subject=theme_party_day),),
    "activity-history": (Case(API_READERS, kind="api", subject=theme_party_day),),
    "activity-take-transition": (
        Case(
            expect(404, leader=200, assignee=200, commissioner=403, observer=403, anonymous=401, township=404),
            kind="api",
            method="post",
            subject=theme_party_day,
            kwargs=action_kwargs("check_in"),
        ),
    ),
    "activity-makeup": (
        Case({**ITEM_ACTION(403), "anonymous": 401}, kind="api", method="post", subject=theme_party_day),
    ),
    "visit-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "visit-detail": (Case(API_READERS, kind="api", subject=branch_visit),),
    "finding-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "finding-detail": (
        Case(
            expect(404, commissioner=200, observer=200, anonymous=401, township=404), kind="api", subject=filed_finding
        ),
        Case(expect(404, anonymous=401, township=404, b_commissioner=200), kind="api", subject=b_filed_finding),
    ),
    "finding-transitions": (
        Case(
            expect(404, commissioner=200, observer=200, anonymous=401, township=404), kind="api", subject=filed_finding
        ),
    ),
    "finding-history": (
        Case(
            expect(404, commissioner=200, observer=200, anonymous=401, township=404), kind="api", subject=filed_finding
        ),
    ),
    "finding-take-transition": (
        Case(
            expect(404, commissioner=400, observer=403, anonymous=401, township=404),
            kind="api",
            method="post",
            subject=filed_finding,
            kwargs=action_kwargs("dismiss"),
            note="the empty body: a reason is required",
        ),
    ),
    "reports-visits": (Case(API_LOGGED_IN, kind="api"),),
    # -- end reports
    # -- print-ready pages: whoever reads the object (tests/workflows/test_print_pages.py)
    "lists:list-print": (Case(ITEM_READERS, subject=published_list),),
    "issues:issue-print": (Case(ITEM_READERS, subject=dispatched_issue), Case(B_READERS, subject=b_dispatched_issue)),
    "supervision:case-print": (Case(CASE_READERS, subject=supervision_case),),
    # -- evidence through the API: its cadre, co-handlers and the unit's leaders (no file: the field error)
    "api-item-evidence": (
        Case(
            expect(
                400,
                other_leader=404,
                other_cadre=404,
                other_commissioner=404,
                commissioner=403,
                observer=403,
                anonymous=401,
                township=404,
            ),
            kind="api",
            method="post",
            subject=published_item,
        ),
    ),
    # -- search: what each persona finds is tested in tests/workflows/test_search.py
    "search": (Case(LOGGED_IN_PAGE, note="results are filtered to what the caller may read"),),
    "api-search": (Case(expect(400, anonymous=401, township=400), kind="api", note="no q: the field error"),),
    # -- stand-ins (代理): the person and the stand-in read a delegation; only the person revokes it
    # (tests/delegations/ runs naming, acting and revoking for both townships)
    "delegations:index": (
        Case(LOGGED_IN_PAGE),
        Case(expect(400, anonymous=302, township=400), method="post", note="the empty form"),
    ),
    "delegations:detail": (
        Case(expect(404, assignee=200, anonymous=302, township=404), subject=cadre_stand_in),
        Case(expect(404, anonymous=302, township=404, b_cadre=200, b_office=404), subject=b_cadre_stand_in),
    ),
    "delegations:revoke": (
        Case(
            expect(404, assignee=302, anonymous=302, township=404),
            method="post",
            subject=cadre_stand_in,
            note="the person revokes it (redirect to 我的代理)",
        ),
    ),
    "delegations:act": (Case(expect(403, other_leader=302, anonymous=302, township=403), subject=leader_stand_in),),
    "delegations:stop": (Case(expect(302, township=302), method="post", kwargs=no_kwargs),),
    "delegation-list": (
        Case(API_LOGGED_IN, kind="api"),
        Case(expect(400, anonymous=401, township=400), kind="api", method="post", note="the empty body"),
    ),
    "delegation-detail": (
        Case(expect(404, assignee=200, anonymous=401, township=404), kind="api", subject=cadre_stand_in),
        Case(expect(404, anonymous=401, township=404, b_cadre=200, b_office=404), kind="api", subject=b_cadre_stand_in),
    ),
    "delegation-transitions": (
        Case(expect(404, assignee=200, anonymous=401, township=404), kind="api", subject=cadre_stand_in),
    ),
    "delegation-history": (
        Case(expect(404, assignee=200, anonymous=401, township=404), kind="api", subject=cadre_stand_in),
    ),
    "delegation-take-transition": (
        Case(
            expect(404, assignee=200, anonymous=401, township=404),
            kind="api",
            method="post",
            subject=cadre_stand_in,
            kwargs=action_kwargs("revoke"),
        ),
    ),
    # -- the township office (党政办): office01 / boffice01 and admins only (tests/organization/test_office.py
    # runs every office action for both townships' office holders); everyone else 403, anonymous to the login.
    "office_home": (Case(OFFICE_ONLY),),
    "office_scoring": (
        Case(OFFICE_ONLY),
        Case(OFFICE_ACTS(400, subject=False), method="post", note="the office's own scheme; the empty form"),
    ),
    "office_people": (
        Case(OFFICE_ONLY),
        Case(OFFICE_ACTS(400, subject=False), method="post", note="the empty form comes back 400 for the office"),
    ),
    "office_person": (
        Case(OFFICE_ACTS(200), subject=township_person),
        Case(
            OFFICE_ACTS(400),
            method="post",
            subject=township_person,
            body=lambda user, subject: {"action": "update"},
        ),
    ),
    "office_person_action": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_person,
            kwargs=lambda subject: {"pk": subject.pk, "action": "deactivate"},
            body=lambda user, subject: {"reason": "矩阵"},
        ),
    ),
    "office_membership_remove": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_membership,
            body=lambda user, subject: {"reason": "矩阵"},
        ),
    ),
    "office_pairings": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_pairing_remove": (
        Case(OFFICE_ACTS(302), method="post", subject=township_pairing, body=lambda user, subject: {"reason": "矩阵"}),
    ),
    "office_changes": (Case(OFFICE_ONLY),),
    # -- WeCom / DingTalk (tests/connect/ runs the office's actions and the sign-in itself)
    "connect:office": (
        Case(OFFICE_ONLY),
        Case(OFFICE_ACTS(400, subject=False), method="post", body=lambda user, subject: {"provider": "wecom"}),
    ),
    "connect:office-link": (Case(OFFICE_ACTS(400, subject=False), method="post", note="the empty form"),),
    "connect:office-unlink": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_account_link,
            body=lambda user, subject: {"reason": "矩阵"},
        ),
    ),
    "connect:me": (Case(LOGGED_IN_PAGE, note="the caller's own links and township's applications"),),
    "connect:start": (
        Case(
            expect(302, township=302),
            subject=township_vendor_app,
            kwargs=vendor_app_kwargs,
            note="anyone may start a sign-in: sent to the vendor's page with a state in the session",
        ),
        Case(expect(302, township=302), subject=b_vendor_app, kwargs=vendor_app_kwargs),
        Case(
            expect(404, township=404),
            subject=unconfigured_township,
            kwargs=lambda unit: {"provider": "wecom", "township": unit.pk},
            note="nothing configured: nothing to start",
        ),
    ),
    "connect:callback": (
        Case(
            expect(400, township=400),
            subject=lambda p: "wecom",
            kwargs=lambda provider: {"provider": provider},
            note="no state of this session: refused before any call",
        ),
    ),
    # tests/organization/test_office_setup.py runs each of these for both townships' offices.
    # tests/organization/test_office_units.py runs each of these for both townships' offices.
    "office_units": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_unit": (
        Case(OFFICE_ACTS(200), subject=township_district),
        Case(OFFICE_ACTS(400), method="post", subject=township_district, note="the empty form: its errors"),
        Case({**OFFICE_ONLY, "office": 404}, subject=b_township_district),
    ),
    "office_unit_delete": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_district,
            body=lambda user, subject: {"reason": "矩阵"},
            note="refused with a message: the district holds villages and people",
        ),
    ),
    "office_templates": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_template": (
        Case(OFFICE_ACTS(200), subject=township_template),
        Case(OFFICE_ACTS(400), method="post", subject=township_template, note="the empty form: its errors"),
        Case({**OFFICE_ONLY, "office": 404}, subject=b_township_template),
    ),
    "office_template_action": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_template,
            kwargs=lambda subject: {"pk": subject.pk, "action": "deactivate"},
            body=lambda user, subject: {"reason": "矩阵"},
        ),
    ),
    "office_calendar": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_calendar_remove": (
        Case(OFFICE_ACTS(302), method="post", subject=township_day, body=lambda user, subject: {"reason": "矩阵"}),
    ),
    "office_jurisdictions": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_jurisdiction": (
        Case(OFFICE_ACTS(200), subject=township_jurisdiction),
        Case(OFFICE_ACTS(400), method="post", subject=township_jurisdiction),
    ),
    "office_jurisdiction_remove": (
        Case(
            OFFICE_ACTS(302),
            method="post",
            subject=township_jurisdiction,
            body=lambda user, subject: {"reason": "矩阵"},
        ),
    ),
    "office_import": (Case(OFFICE_ONLY), Case(OFFICE_ACTS(400, subject=False), method="post")),
    "office_import_template": (Case(OFFICE_ONLY),),
    # 交接 (tests/delegations/test_handover.py runs it for both townships' offices)
    "office_handover": (
        Case(OFFICE_ACTS(200), subject=township_person),
        Case(OFFICE_ACTS(400), method="post", subject=township_person, note="the empty form"),
    ),
    "office_policies": (Case(OFFICE_ONLY),),
    "office_policy_edit": (
        Case(OFFICE_ONLY),
        Case(OFFICE_ACTS(400, subject=False), method="post", note="the empty form"),
    ),
    "office_policy_remove": (
        Case(OFFICE_ACTS(302), method="post", subject=township_policy, body=lambda user, subject: {"reason": "矩阵"}),
    ),
}

# URL names with no row, and why. Namespaces listed here are exempt as a whole (but rows in
# MATRIX for them, such as ``admin:index``, are still checked).
EXEMPT_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: staff only (its index is in MATRIX), its own permission system",
}
EXEMPT_NAMES: dict[str, str] = {
    "set_language": "i18n language switch: no data, open to everyone",
}
