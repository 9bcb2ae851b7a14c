"""Work orders in every state, built through the services, and the personas around them."""

from __future__ import annotations

import pytest

from issues import services
from issues.models import LivelihoodIssue
from organization.models import Unit, User

Issue = LivelihoodIssue


class IssuePeople:
    """Dispatcher leader01 (office branch); handler cadre006 of branch02; colleague cadre007;
    reporter cadre016 (branch04, registered it); other cadre cadre011 (branch03)."""

    def __init__(self, personas):
        self.p = personas
        self.dispatcher = personas.leader
        self.handler = personas.other_cadre
        self.colleague = User.objects.get(username="cadre007")
        self.reporter = User.objects.get(username="cadre016")
        self.other_cadre = User.objects.get(username="cadre011")
        self.commissioner = personas.commissioner
        self.other_commissioner = personas.other_commissioner
        self.observer = personas.observer
        self.unit = personas.other_branch
        self.village = Unit.objects.get(code="east-village1")

    def get(self, name):
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture(name="people")
def people_fixture(personas):
    return IssuePeople(personas)


def register(people, **overrides):
    fields = {
        "title": "东山村三组路灯不亮",
        "description": "三组主路六盏路灯损坏，夜间出行不便。",
        "source": Issue.Source.VISIT,
        "place_unit": people.village,
        "category": Issue.Category.ROADS,
        "urgency": Issue.Urgency.NORMAL,
        "reporter_name": "王大伯",
        "reporter_phone": "13812341234",
    }
    fields.update(overrides)
    return services.issue_register(actor=people.reporter, **fields)


def issue_in_state(people, state: str, **overrides) -> Issue:
    issue = register(people, **overrides)
    if state == "reported":
        return issue
    if state == "closed":
        return services.issue_answer(issue=issue, actor=people.dispatcher, result="已当场解释")
    issue = services.issue_dispatch(issue=issue, actor=people.dispatcher, handler=people.handler, unit=people.unit)
    if state == "dispatched":
        return issue
    if state == "cancelled":
        return services.issue_cancel(issue=issue, actor=people.dispatcher, reason="重复")
    issue = services.issue_accept(issue=issue, actor=people.handler)
    if state == "accepted":
        return issue
    issue = services.issue_report_progress(issue=issue, actor=people.handler, text="已联系供电所")
    if state == "in_progress":
        return issue
    issue = services.issue_resolve(issue=issue, actor=people.handler, result="已更换", resolution="substantive")
    assert state == "resolved"
    return issue
