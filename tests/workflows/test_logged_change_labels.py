"""Changes logged without a transition method (登记, 延期申请, 延期, 删除 …) read in Chinese on 已办."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lists import services
from tests.issues.issue_fixtures import issue_in_state, people_fixture  # noqa: F401
from tests.lists.lists_builders import item_in_state
from workflows.engine import RECORDED_CHANGE_LABELS
from workflows.inbox import done_for

LATIN = re.compile(r"[A-Za-z]")


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(RECORDED_CHANGE_LABELS))
def test_every_logged_change_has_a_chinese_label(name):
    with translation.override("zh-hans"):
        assert not LATIN.search(str(RECORDED_CHANGE_LABELS[name]))


def test_registering_requesting_and_extending_read_chinese_on_done(personas, people):
    item = item_in_state(personas, "accepted")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="等材料"
    )
    services.extension_approve(extension=extension, actor=personas.leader)
    issue = issue_in_state(people, "reported")
    with translation.override("zh-hans"):
        cadre_rows = {row["transition"]: str(row["transition_label"]) for row in done_for(personas.cadre)[:10]}
        leader_rows = {row["transition"]: str(row["transition_label"]) for row in done_for(personas.leader)[:10]}
        reporter_rows = {row["transition"]: str(row["transition_label"]) for row in done_for(people.reporter)[:10]}
    assert cadre_rows["request"] == "提出申请"
    assert reporter_rows["report"] == "登记"
    assert not any(LATIN.search(label) for label in {**cadre_rows, **leader_rows, **reporter_rows}.values())
    page = page_for(people.reporter).get(reverse("lists:inbox-done")).content.decode()
    assert issue.title in page and "登记" in page


def test_an_items_history_names_the_extension_in_chinese(personas):
    item = item_in_state(personas, "accepted")
    extension = services.extension_request(
        item=item, actor=personas.cadre, new_due_at=item.due_at + dt.timedelta(days=3), reason="等材料"
    )
    services.extension_approve(extension=extension, actor=personas.leader)
    page = page_for(personas.leader).get(reverse("lists:item-detail", args=[item.pk])).content.decode()
    history = page[page.index('data-testid="history"') :]
    assert "extend" not in history and "延期" in history


def test_a_work_orders_history_names_its_registration(people):
    issue = issue_in_state(people, "dispatched")
    page = page_for(people.dispatcher).get(reverse("issues:issue-detail", args=[issue.pk])).content.decode()
    history = page[page.index('class="timeline"') :]
    assert "report" not in history and "登记" in history
