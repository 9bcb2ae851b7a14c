"""Comments, evidence files and sign-ins are shown by no kept answer, so they keep every answer.

A cadre's comment or uploaded evidence (佐证材料) is the most frequent write of a working day,
and every sign-in writes the user's ``last_login``; each used to drop every kept answer in the
county. These tests hold both halves of the rules in ``READ_CACHE_IGNORED_TABLES`` and
``READ_CACHE_IGNORED_COLUMNS``: no cached endpoint or page answers differently after such a
write (computed with the cache off), and the kept answers are still used afterwards.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from organization.models import User
from responsibilities import services
from tests.responsibilities.lists_builders import add_item, draft_list
from tests.workflows.test_readcache import browser, page_body, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(personas):
    """A published list whose item (with a co-handler) its cadre has accepted."""
    lst = draft_list(personas)
    item = add_item(personas, lst, title="走访困难党员", co_handlers=[personas.colleague])
    services.list_publish(lst=lst, actor=personas.leader)
    item = services.item_accept(item=item, actor=personas.cadre)
    return lst, item


def _api_urls(lst, item):
    return [
        "/api/v1/items/?assignee=me",
        f"/api/v1/items/?list={lst.pk}",
        f"/api/v1/items/{item.pk}/",
        f"/api/v1/items/{item.pk}/history/",
        "/api/v1/lists/",
    ]


def _comment_and_evidence(personas, item):
    services.item_comment(item=item, actor=personas.cadre, text="已走访三户")
    upload = SimpleUploadedFile("走访记录.txt", "走访记录".encode(), content_type="text/plain")
    services.item_add_evidence(item=item, actor=personas.cadre, upload=upload, content_type="text/plain")
    for who in ("leader", "cadre", "secretary"):  # signs in: last_login is written
        Client().force_login(getattr(personas, who))
    assert User.objects.get(pk=personas.cadre.pk).last_login is not None


def _answers(personas, lst, item):
    """Every cached API answer and page of the item's people, computed with the cache off."""
    with override_settings(READ_CACHE_SECONDS=0):
        answers = {}
        for who in ("cadre", "colleague", "leader", "commissioner", "observer"):
            client = token_client(getattr(personas, who))
            for url in _api_urls(lst, item):
                response = client.get(url)
                answers[who, url] = (response.status_code, response.content)
        commissioner = token_client(personas.commissioner)
        answers["queue"] = commissioner.get("/api/v1/supervision/overdue/").content
        answers["list page"] = page_body(browser(personas.leader).get(f"/lists/{lst.pk}/"))
        answers["dashboard"] = page_body(browser(personas.secretary).get("/reports/"))
    return answers


def test_no_kept_answer_shows_comments_evidence_or_sign_ins(personas, accepted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lst, item = accepted
    before = _answers(personas, lst, item)
    _comment_and_evidence(personas, item)
    assert _answers(personas, lst, item) == before


def test_comments_evidence_and_sign_ins_keep_the_kept_answers(
    personas, accepted, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    lst, item = accepted
    client = token_client(personas.cadre)
    for url in _api_urls(lst, item):
        client.get(url)  # kept
    _comment_and_evidence(personas, item)
    for url in _api_urls(lst, item):
        with django_assert_max_num_queries(1):  # as for any kept answer (computing one takes 4 or more)
            assert client.get(url).status_code == 200


def test_a_transition_still_drops_them(personas, accepted):
    lst, item = accepted
    client = token_client(personas.cadre)
    url = f"/api/v1/items/{item.pk}/"
    client.get(url)
    services.item_report_progress(item=item, actor=personas.cadre, text="进展", percent=50)
    assert client.get(url).json()["progress_percent"] == 50


def test_a_user_edit_beside_the_sign_in_still_drops_answers(personas, accepted):
    lst, item = accepted
    client = token_client(personas.cadre)
    url = f"/api/v1/items/{item.pk}/"
    client.get(url)
    cadre = User.objects.get(pk=personas.cadre.pk)
    cadre.display_name = "改名的干部"
    cadre.save(update_fields=["display_name", "last_login"])
    assert client.get(url).json()["assignee_name"] == "改名的干部"
