"""An integrator's client, generated from ``/api/schema/``, drives a day's work of both townships.

openapi-python-client (pinned in requirements-test.txt, offline: no post-hooks) writes a Python
client from the document into a temporary folder; the test imports it and, as every role of
青山镇 and of 白水镇 through real tokens over WSGI, takes every subject through every state: lists
(draft → published → closed), items (accept, progress, submit, return, suspend, resume, cancel,
verify), extensions (approved, rejected), pledges (each transition), work orders (rejected,
unsatisfied follow-up, reopened, answered, cancelled), supervision cases (escalated and opened by
hand, acted on, closed), the overdue queue, notifications, the quarterly report, 404s and 401s.
The generated code parses every answer into its models: an answer that does not match the
document fails to parse (or raises ``UnexpectedStatus``), and so fails the test.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from django.core.wsgi import get_wsgi_application

from lists.models import ResponsibilityItem
from organization.models import Unit, User
from tests.openapi_contract import document
from workflows.sweep import sweep_deadlines

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)  # a Tuesday
DUE = dt.datetime(2026, 12, 11, 17, tzinfo=SHANGHAI)
LATE_DUE = dt.datetime(2026, 12, 15, 17, tzinfo=SHANGHAI)
ESCALATION_DAY = dt.datetime(2026, 12, 16, 17, tzinfo=SHANGHAI)  # three working days past DUE
PASSWORD = "dutyflow-demo"
PACKAGE = "dutyflow_client"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Township:
    secretary: str
    leader: str
    cadre: str
    colleague: str
    third: str
    commissioner: str
    observer: str | None
    branch: str
    village: str


QINGSHAN = Township(
    "secretary", "leader01", "cadre001", "cadre002", "cadre003", "commissioner01", "observer01", "branch01",
    "east-village1",
)  # fmt: skip
BAISHUI = Township(
    "bsecretary", "bleader01", "bcadre001", "bcadre002", "bcadre003", "bcommissioner01", None, "bs-branch01",
    "bs-village1",
)  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package generated from the document, imported."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "schema.json").write_text(json.dumps(document()), encoding="utf-8")
    # No post-hooks: the default runs ruff over the output, a tool an integrator may not have.
    # The workbook's media type is read as the generator reads any file (README shows the same).
    config = {
        "post_hooks": [],
        "package_name_override": PACKAGE,
        "content_type_overrides": {XLSX: "application/octet-stream"},
    }
    (folder / "config.json").write_text(json.dumps(config))
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(folder / "schema.json")]
        + ["--config", str(folder / "config.json"), "--meta", "none", "--output-path", str(folder / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def same_connection():
    """Requests go through the WSGI handler: keep it from closing the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Integrator:
    """Calls operations of the generated client by operation id, as one person or anonymously."""

    def __init__(self, package):
        self.package = package
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.transport = httpx.WSGITransport(app=get_wsgi_application())
        self.tokens: dict[str, str] = {}
        self.modules = {
            operation["operationId"]: operation["tags"][0].replace("-", "_")
            for operations in document()["paths"].values()
            for operation in operations.values()
        }

    def client(self, token: str | None):
        args = {"base_url": "http://testserver", "httpx_args": {"transport": self.transport}}
        if token is None:
            return self.package.Client(**args, raise_on_unexpected_status=True)
        return self.package.AuthenticatedClient(**args, token=token, prefix="Token", raise_on_unexpected_status=True)

    def body(self, model: str, **fields):
        return getattr(self.models, model).from_dict(fields)

    def call(self, who: str | None, operation: str, expect: int = 200, **kwargs):
        module = importlib.import_module(f"{PACKAGE}.api.{self.modules[operation]}.{operation}")
        client = self.client(self.tokens[who] if who else None)
        response = module.sync_detailed(client=client, **kwargs)
        assert response.status_code == expect, (who, operation, response.status_code, response.content[:500])
        parsed = response.parsed
        if expect < 300:
            assert not isinstance(parsed, (self.models.Error, self.models.FieldErrors)), (operation, parsed)
        elif expect == 400:
            assert isinstance(parsed, self.models.FieldErrors), (operation, parsed)
        elif response.content:
            assert isinstance(parsed, self.models.Error), (operation, parsed)
        return parsed

    def login(self, *usernames: str) -> None:
        for username in usernames:
            answer = self.call(
                None, "auth_token_create", body=self.body("AuthTokenRequest", username=username, password=PASSWORD)
            )
            self.tokens[username] = answer.token

    def step(self, who: str, resource: str, name: str, pk: int, **fields):
        inputs = document()["paths"][f"/api/v1/{resource}/{{id}}/transitions/{name}/"]["post"]["requestBody"]
        model = inputs["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        return self.call(who, f"{resource.replace('-', '_')}_{name}", id=pk, body=self.body(model, **fields))


def deliver_in_app() -> None:
    """What the worker does after commit (the test's transaction never commits): the in-app
    messages of the outbox become notifications."""
    from notifications.models import Channel, OutboxMessage
    from notifications.services import outbox_deliver

    for pk in OutboxMessage.objects.filter(channel=Channel.IN_APP, state="pending").values_list("pk", flat=True):
        outbox_deliver(message_id=pk)


def everyone(t: Township) -> list[str]:
    return [u for u in (t.secretary, t.leader, t.cadre, t.colleague, t.third, t.commissioner, t.observer) if u]


def read_everything(api: Integrator, t: Township) -> None:
    """Every role reads every list it has (each answer parsed by the generated models)."""
    for who in everyone(t):
        me = api.call(who, "me_retrieve")
        assert me.username == who
        for operation in (
            "inbox_list", "notifications_list", "lists_list", "items_list", "extensions_list", "pledges_list",
            "livelihood_issues_list", "supervision_cases_list",
        ):  # fmt: skip
            api.call(who, operation)
        api.call(who, "search_list", q="路灯")
        may_supervise = who in (t.commissioner, t.observer)
        api.call(who, "supervision_overdue_list", expect=200 if may_supervise else 403)
        reads_reports = who in (t.secretary, t.leader, t.commissioner, t.observer)
        api.call(who, "reports_quarterly_retrieve", expect=200 if reads_reports else 403, year=2026, quarter=4)
    workbook = api.call(t.secretary, "reports_quarterly_xlsx_retrieve", year=2026, quarter=4)
    assert workbook.payload.read(2) == b"PK"


def day_of_work(api: Integrator, t: Township) -> None:
    branch, village = Unit.objects.get(code=t.branch), Unit.objects.get(code=t.village)
    ids = {u.username: u.pk for u in User.objects.filter(username__in=everyone(t))}
    api.login(*everyone(t))
    # -- 401 and 404 ---------------------------------------------------------------------------
    api.tokens["nobody"] = "0" * 40
    api.call("nobody", "me_retrieve", expect=401)
    api.call(None, "items_list", expect=401)
    api.call(t.cadre, "items_retrieve", expect=404, id=10**8)
    api.call(t.leader, "lists_publish", expect=404, id=10**8, body=api.body("CommentInputRequest"))
    read_everything(api, t)

    # -- the monthly list and its items --------------------------------------------------------
    lst = api.call(
        t.leader,
        "lists_create",
        expect=201,
        body=api.body("ListRequest", unit=branch.pk, month="2026-12", title="十二月清单"),
    )
    assert lst.state.value == "draft"

    def item(title, due=DUE):
        fields = {"list": lst.id, "title": title, "standard": "按时完成并留痕", "assignee": ids[t.cadre]}
        fields.update(lead_leader=ids[t.leader], due_at=due.isoformat())
        return api.call(t.leader, "items_create", expect=201, body=api.body("ItemRequest", **fields)).id

    worked, halted, extended, refused, overdue, late, dropped = (
        item(title) for title in ("主题党日", "走访慰问", "安全检查", "台账整理", "道路巡查", "材料报送", "作废")
    )
    api.call(
        t.leader,
        "items_partial_update",
        id=late,
        body=api.body("PatchedItemUpdateRequest", due_at=LATE_DUE.isoformat()),
    )
    api.call(t.leader, "items_destroy", expect=204, id=dropped)
    # A draft generated from a template without a default assignee, deadline or lead leader.
    blank = ResponsibilityItem.objects.create(list_id=lst.id, title="模板生成", created_by_id=ids[t.leader])
    assert api.call(t.leader, "items_retrieve", id=blank.pk).assignee is None
    assert blank.pk in {row.id for row in api.call(t.leader, "items_list", list_=lst.id).results}
    api.call(t.leader, "items_destroy", expect=204, id=blank.pk)
    api.call(t.cadre, "lists_publish", expect=403, id=lst.id, body=api.body("CommentInputRequest"))
    assert api.step(t.leader, "lists", "publish", lst.id).state.value == "published"
    api.call(t.leader, "lists_publish", expect=409, id=lst.id, body=api.body("CommentInputRequest"))
    api.call(t.leader, "lists_transitions_list", id=lst.id)
    api.call(t.leader, "lists_history_list", id=lst.id)
    assert len(api.call(t.cadre, "items_list", assignee="me").results) == 6  # (临时交办 below adds one)

    # 签收 → 进展 → 申请办结 → 退回 → 进展 → 申请办结 → 办结
    api.step(t.cadre, "items", "accept", worked)
    api.step(t.cadre, "items", "report_progress", worked, text="已发通知", percent=40)
    api.step(t.cadre, "items", "submit", worked, result="已召开")
    api.call(t.cadre, "items_verify", expect=403, id=worked, body=api.body("CommentInputRequest"))
    assert api.step(t.leader, "items", "return", worked, reason="缺照片").state.value == "returned"
    api.step(t.cadre, "items", "report_progress", worked, text="补充照片")
    api.step(t.cadre, "items", "submit", worked, result="已召开，附照片")
    assert api.step(t.leader, "items", "verify", worked).state.value == "completed"
    api.call(t.cadre, "items_submit", expect=409, id=worked, body=api.body("SubmitInputRequest", result="再交"))
    # 中止 → 恢复 → 撤销
    api.step(t.cadre, "items", "accept", halted)
    assert api.step(t.leader, "items", "suspend", halted, reason="等上级通知").state.value == "suspended"
    api.step(t.leader, "items", "resume", halted)
    assert api.step(t.leader, "items", "cancel", halted, reason="不再需要").state.value == "cancelled"
    for pk in (extended, refused, overdue, late):
        api.step(t.cadre, "items", "accept", pk)
    progress = api.body("ProgressInputRequest", text="")
    api.call(t.cadre, "items_report_progress", expect=400, id=extended, body=progress)
    api.call(t.cadre, "items_retrieve", id=worked)
    api.call(t.cadre, "items_history_list", id=worked)
    api.call(t.cadre, "items_transitions_list", id=extended)
    # 延期申请: one approved, one rejected
    for pk in (extended, refused):
        body = api.body("ExtensionRequest", item=pk, new_due_at=LATE_DUE.isoformat(), reason="等待材料")
        extension = api.call(t.cadre, "extensions_create", expect=201, body=body)
        if pk == extended:
            assert api.step(t.leader, "extensions", "approve", extension.id).state.value == "approved"
        else:
            assert api.step(t.leader, "extensions", "reject", extension.id, reason="时间够用").state.value == "rejected"
        api.call(t.cadre, "extensions_history_list", id=extension.id)

    # 改派: the item goes to a colleague where it stands; 临时交办: an item added to the published list
    handed = item("临时交办：防汛值班")
    assert api.call(t.leader, "items_retrieve", id=handed).state.value == "assigned"
    moved = api.step(t.leader, "items", "reassign", handed, assignee=ids[t.colleague], reason="借调")
    assert moved.assignee == ids[t.colleague]
    api.call(
        t.leader,
        "items_reassign",
        expect=400,
        id=handed,
        body=api.body("ReassignInputRequest", assignee=ids[t.colleague], reason="再派"),
    )
    api.step(t.colleague, "items", "accept", handed)

    # -- pledges: returned, claim rejected, fulfilled; unfulfilled; withdrawn --------------------
    def pledge(who, text):
        body = api.body("PledgeRequest", text=text, due_date="2026-12-25", category="people_needs")
        return api.call(who, "pledges_create", expect=201, body=body).id

    kept = pledge(t.cadre, "为结对村两户老人上门代办医保业务。")
    api.step(t.cadre, "pledges", "submit", kept)
    api.step(t.leader, "pledges", "return", kept, reason="写明户数")
    api.call(
        t.cadre,
        "pledges_partial_update",
        id=kept,
        body=api.body("PatchedPledgeRequest", text="每月为结对村三户老人上门代办医保业务。"),
    )
    api.step(t.cadre, "pledges", "submit", kept)
    api.step(t.leader, "pledges", "approve", kept)
    api.step(t.cadre, "pledges", "claim", kept, evidence_text="代办三户")
    api.step(t.leader, "pledges", "reject_claim", kept, reason="缺签字")
    api.step(t.cadre, "pledges", "claim", kept, evidence_text="代办三户，有签字记录")
    assert api.step(t.leader, "pledges", "confirm", kept).state.value == "fulfilled"
    api.call(t.cadre, "pledges_history_list", id=kept)
    api.call(t.leader, "pledges_evaluations_list", id=kept)
    missed = pledge(t.colleague, "每周到结对企业走访一次并记录诉求。")
    api.step(t.colleague, "pledges", "submit", missed)
    api.step(t.leader, "pledges", "approve", missed)
    api.call(t.leader, "pledges_checks_list", id=missed)
    assert api.step(t.leader, "pledges", "mark_unfulfilled", missed, reason="未走访").state.value == "unfulfilled"
    dropped_pledge = pledge(t.third, "每月为社区青少年讲一次党史故事。")
    api.step(t.third, "pledges", "withdraw", dropped_pledge)
    api.call(t.third, "pledges_retrieve", id=dropped_pledge)

    # -- work orders: rejected, unsatisfied, reopened, closed; answered; cancelled --------------
    def order(title):
        fields = {"title": title, "description": "群众反映", "source": "visit", "place": str(village.pk)}
        fields.update(category="roads", urgency="normal", reporter_name="王大伯", reporter_phone="13812345678")
        return api.call(
            t.cadre, "livelihood_issues_create", expect=201, body=api.body("IssueDetailRequest", **fields)
        ).id

    road = order("村口路灯不亮")
    api.call(t.commissioner, "livelihood_issues_retrieve", id=road)  # the number masked for them
    dispatch = {"handler": ids[t.colleague], "unit": branch.pk}
    api.step(t.secretary, "livelihood-issues", "dispatch", road, **dispatch)
    api.step(t.colleague, "livelihood-issues", "reject", road, reason="不属本单位")
    api.step(t.secretary, "livelihood-issues", "dispatch", road, **dispatch)
    api.step(t.colleague, "livelihood-issues", "accept", road)
    api.step(t.colleague, "livelihood-issues", "report_progress", road, text="已联系供电所")
    api.step(t.colleague, "livelihood-issues", "resolve", road, result="已更换灯泡", resolution="substantive")
    unsatisfied = api.step(t.secretary, "livelihood-issues", "follow_up", road, satisfaction="unsatisfied")
    assert unsatisfied.state.value == "resolved"
    api.step(t.secretary, "livelihood-issues", "reopen", road)
    api.step(t.colleague, "livelihood-issues", "resolve", road, result="线路已检修", resolution="substantive")
    closed = api.step(t.secretary, "livelihood-issues", "follow_up", road, satisfaction="satisfied")
    assert closed.state.value == "closed"
    api.call(t.cadre, "livelihood_issues_history_list", id=road)
    api.call(t.cadre, "livelihood_issues_photos_list", id=road)
    answered = order("咨询低保政策")
    assert api.step(t.secretary, "livelihood-issues", "answer", answered, result="当场解答").state.value == "closed"
    withdrawn = order("重复登记")
    assert api.step(t.secretary, "livelihood-issues", "cancel", withdrawn, reason="重复").state.value == "cancelled"
    api.call(t.secretary, "livelihood_issues_transitions_list", id=withdrawn)

    # -- Party life: a theme Party day checked in and recorded, a visit raising an issue, findings --
    day = api.call(
        t.leader,
        "activities_create",
        expect=201,
        body=api.body(
            "ActivityRequest",
            unit=branch.pk,
            kind="theme_party_day",
            title="十二月主题党日",
            scheduled_at=(MORNING + dt.timedelta(minutes=30)).isoformat(),
            place="党员活动室",
        ),
    )
    required = list(day.required_parts)
    assert "discipline_lesson" in required
    api.step(t.cadre, "activities", "check_in", day.id)
    api.step(t.colleague, "activities", "check_in", day.id)
    missing = [part for part in required if part != "discipline_lesson"]
    api.call(
        t.leader,
        "activities_record",
        expect=400,
        id=day.id,
        body=api.body("RecordInputRequest", minutes="会议记录", parts=missing),
    )
    recorded = api.step(
        t.leader, "activities", "record", day.id, minutes="学习党纪处分条例，重温入党誓词", parts=required
    )
    assert recorded.state.value == "recorded"
    api.call(t.cadre, "activities_retrieve", id=day.id)
    api.call(t.cadre, "activities_history_list", id=day.id)
    api.call(t.cadre, "activities_list")
    called_off = api.call(
        t.leader,
        "activities_create",
        expect=201,
        body=api.body(
            "ActivityRequest",
            unit=branch.pk,
            kind="party_lecture",
            title="专题党课",
            scheduled_at=(MORNING + dt.timedelta(days=3)).isoformat(),
            place="会议室",
        ),
    )
    assert api.step(t.leader, "activities", "cancel", called_off.id, reason="改期").state.value == "cancelled"
    visit = api.call(
        t.cadre,
        "visits_create",
        expect=201,
        body=api.body(
            "VisitRequest",
            unit=village.pk,
            visited_on=MORNING.date().isoformat(),
            notes="走访两户困难群众",
            issues=[{"title": "村道路灯损坏", "description": "三盏不亮", "category": "roads", "urgency": "normal"}],
        ),
    )
    api.call(t.cadre, "visits_retrieve", id=visit.id)
    api.call(t.cadre, "visits_list")
    api.call(t.leader, "reports_visits_list", month="2026-12")
    filer = t.observer or t.commissioner
    for title, decision in (("会议迟到早退", "accept"), ("台账不全", "dismiss")):
        finding = api.call(
            filer,
            "findings_create",
            expect=201,
            body=api.body("FindingRequest", unit=branch.pk, title=title, description="观察所见"),
        )
        fields = {"reason": "已核实无此情况"} if decision == "dismiss" else {}
        decided = api.step(t.commissioner, "findings", decision, finding.id, **fields)
        assert decided.state.value == ("accepted" if decision == "accept" else "dismissed")
        api.call(filer, "findings_history_list", id=finding.id)
    api.call(t.commissioner, "findings_list")

    # -- past the deadline: the overdue queue and supervision cases ------------------------------
    with time_machine.travel(ESCALATION_DAY, tick=False):
        sweep_deadlines(as_of=ESCALATION_DAY)
        api.login(*everyone(t))  # the morning's tokens have expired meanwhile
        queue = api.call(t.commissioner, "supervision_overdue_list")
        assert {overdue, refused} <= {row.id for row in queue.results}
        if t.observer:
            api.call(t.observer, "supervision_overdue_list")
        escalated = [c for c in api.call(t.commissioner, "supervision_cases_list").results if c.object_id == overdue]
        assert escalated and escalated[0].source.value == "escalation"
        case = escalated[0].id
        api.step(t.commissioner, "supervision-cases", "act", case, action="yellow_card", note="限期整改")
        api.call(
            t.leader,
            "supervision_cases_act",
            expect=403,
            id=case,
            body=api.body("ActInputRequest", action="reminder", note="x"),
        )
        assert api.step(t.commissioner, "supervision-cases", "close", case, conclusion="已整改").state.value == "closed"
        body = api.body("CaseCreateRequest", subject_type="item", subject_id=late, reason="材料迟交")
        opened = api.call(t.commissioner, "supervision_cases_create", expect=201, body=body)
        api.step(t.commissioner, "supervision-cases", "act", opened.id, action="reminder", note="请尽快报送")
        api.call(t.commissioner, "supervision_cases_history_list", id=opened.id)
        api.call(t.commissioner, "supervision_cases_transitions_list", id=opened.id)
        # 验单: the open items carried over or left unfinished
        open_items = {str(pk): "carry_over" for pk in (extended, refused, late)} | {
            str(overdue): "unfinished",
            str(handed): "unfinished",
        }
        closed_list = api.step(t.leader, "lists", "close", lst.id, decisions=open_items)
        assert closed_list.state.value == "closed"
        for pk in (worked, halted, extended, overdue):
            api.call(t.leader, "items_retrieve", id=pk)

        # -- notifications and the day's reading ---------------------------------------------
        deliver_in_app()
        notes = api.call(t.cadre, "notifications_list")
        assert notes.count > 0
        api.call(t.cadre, "notifications_read_create", id=notes.results[0].id)
        api.call(t.cadre, "notifications_read_all_create")
        read_everything(api, t)


@pytest.mark.django_db
def test_a_generated_client_drives_a_day_of_both_townships(township, same_connection, generated):
    api = Integrator(generated)
    with time_machine.travel(MORNING, tick=True):
        for t in (QINGSHAN, BAISHUI):
            day_of_work(api, t)
    # Nothing of one township answers the other's people.
    other_list = api.call(QINGSHAN.leader, "lists_list").results[0].id
    api.login(BAISHUI.leader)
    api.call(BAISHUI.leader, "lists_retrieve", expect=404, id=other_list)
