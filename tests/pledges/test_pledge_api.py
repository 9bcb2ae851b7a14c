import pytest

from pledges.models import Pledge
from workflows import events
from workflows.models import TransitionLog

from .pledge_helpers import TEXT, due_date, make_pledge

URL = "/api/v1/pledges/"

BODIES = {
    "submit": {},
    "approve": {},
    "return": {"reason": "不够具体，请写明次数。"},
    "claim": {"evidence_text": "走访记录和照片"},
    "confirm": {},
    "reject_claim": {"reason": "缺少群众签字。"},
    "mark_unfulfilled": {"reason": "资金未到位，已向群众说明。"},
    "withdraw": {},
}
SOURCE = {
    "submit": "draft",
    "approve": "submitted",
    "return": "submitted",
    "claim": "approved",
    "confirm": "claimed",
    "reject_claim": "claimed",
    "mark_unfulfilled": "approved",
    "withdraw": "submitted",
}
TARGET = {
    "submit": "submitted",
    "approve": "approved",
    "return": "draft",
    "claim": "claimed",
    "confirm": "fulfilled",
    "reject_claim": "approved",
    "mark_unfulfilled": "unfulfilled",
    "withdraw": "withdrawn",
}
MEMBER_STEPS = {"submit", "claim", "withdraw"}
PERSONAS = [
    "cadre",
    "leader",
    "secretary",
    "colleague",
    "other_leader",
    "other_cadre",
    "commissioner",
    "other_commissioner",
    "observer",
    "anonymous",
]


def _expected(persona: str, transition: str, state: str) -> int:
    if persona == "anonymous":
        return 401
    public = state in Pledge.PUBLIC_STATES
    sees = persona in ("cadre", "leader", "secretary", "commissioner", "observer") or public
    if not sees:
        return 404
    may = persona == "cadre" if transition in MEMBER_STEPS else persona in ("leader", "secretary")
    return 200 if may else 403


@pytest.mark.parametrize("transition", sorted(BODIES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_transition_by_persona(persona, transition, personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, SOURCE[transition])
    user = None if persona == "anonymous" else getattr(personas, persona)
    response = api_as(user).post(f"{URL}{pledge.pk}/transitions/{transition}/", BODIES[transition], format="json")
    expected = _expected(persona, transition, pledge.state)
    assert response.status_code == expected, response.content
    pledge.refresh_from_db()
    assert pledge.state == (TARGET[transition] if expected == 200 else SOURCE[transition])


def test_member_cannot_approve_own_pledge(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    response = api_as(personas.cadre).post(f"{URL}{pledge.pk}/transitions/approve/")
    assert response.status_code == 403


def test_leaders_own_pledge_is_reviewed_by_another_leader(personas, api_as):
    pledge = make_pledge(personas.leader, personas.secretary, "submitted")
    assert api_as(personas.leader).post(f"{URL}{pledge.pk}/transitions/approve/").status_code == 403
    assert api_as(personas.secretary).post(f"{URL}{pledge.pk}/transitions/approve/").status_code == 200


def test_leader_cannot_confirm_own_claim(personas, api_as):
    pledge = make_pledge(personas.leader, personas.secretary, "claimed")
    assert api_as(personas.leader).post(f"{URL}{pledge.pk}/transitions/confirm/").status_code == 403


def test_transition_from_wrong_state_is_409(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "draft")
    assert api_as(personas.leader).post(f"{URL}{pledge.pk}/transitions/approve/").status_code == 409


@pytest.mark.parametrize("transition", ["return", "reject_claim", "mark_unfulfilled", "claim"])
def test_transition_without_required_field_is_400(transition, personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, SOURCE[transition])
    user = personas.cadre if transition == "claim" else personas.leader
    response = api_as(user).post(f"{URL}{pledge.pk}/transitions/{transition}/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"reason", "evidence_text"}


def test_create_makes_a_draft_in_the_members_branch(personas, api_as):
    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "strengths"}
    response = api_as(personas.cadre).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "draft" and data["member"] == "cadre001" and data["unit"] == personas.branch.pk
    assert data["due_at"].endswith("23:59:59+08:00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", ""),
        ("text", "太短了"),
        ("text", "很" * 101),
        ("text", "第一行要做的事情很多很多\n第二行还有更多事情"),
        ("text", "我承诺走访群众。我承诺帮办实事。"),
        ("due_date", "2001-01-01"),
        ("due_date", "not-a-date"),
        ("category", "whatever"),
    ],
)
def test_create_with_bad_input_is_400_with_field_message(field, value, personas, api_as):
    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "strengths", field: value}
    response = api_as(personas.cadre).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_due_date_outside_the_pledge_year_is_refused(personas, api_as):
    year = due_date().year
    body = {"text": TEXT, "due_date": f"{year + 1}-01-10", "category": "strengths", "year": year}
    response = api_as(personas.cadre).post(URL, body, format="json")
    assert response.status_code == 400 and "due_date" in response.json()


def test_second_active_pledge_for_the_year_is_refused(personas, api_as):
    make_pledge(personas.cadre, personas.leader, "approved")
    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "strengths"}
    response = api_as(personas.cadre).post(URL, body, format="json")
    assert response.status_code == 400
    assert "已有一条进行中的承诺" in response.json()["text"][0]


def test_new_pledge_allowed_after_withdrawal(personas, api_as):
    make_pledge(personas.cadre, personas.leader, "withdrawn")
    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "strengths"}
    assert api_as(personas.cadre).post(URL, body, format="json").status_code == 201


@pytest.mark.parametrize("persona", ["commissioner", "observer"])
def test_non_members_of_a_branch_cannot_create(persona, personas, api_as):
    body = {"text": TEXT, "due_date": due_date().isoformat(), "category": "strengths"}
    assert api_as(getattr(personas, persona)).post(URL, body, format="json").status_code == 403


def test_anonymous_list_is_401(api):
    assert api.get(URL).status_code == 401


def test_member_edits_returned_draft(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    api_as(personas.leader).post(f"{URL}{pledge.pk}/transitions/return/", {"reason": "请写具体"}, format="json")
    response = api_as(personas.cadre).patch(f"{URL}{pledge.pk}/", {"text": "每月走访两户困难群众并记录帮办结果。"})
    assert response.status_code == 200 and response.json()["text"].startswith("每月走访两户")


def test_leader_cannot_edit_members_pledge(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "draft")
    assert api_as(personas.leader).patch(f"{URL}{pledge.pk}/", {"text": TEXT}).status_code == 403


def test_submitted_pledge_cannot_be_edited(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    assert api_as(personas.cadre).patch(f"{URL}{pledge.pk}/", {"text": TEXT}).status_code == 409


def test_colleague_sees_only_public_pledges(personas, api_as):
    make_pledge(personas.cadre, personas.leader, "submitted")
    public = make_pledge(personas.other_cadre, personas.other_leader, "approved")
    ids = [p["id"] for p in api_as(personas.colleague).get(URL).json()["results"]]
    assert ids == [public.pk]


def test_commissioner_elsewhere_does_not_see_draft(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "draft")
    assert api_as(personas.other_commissioner).get(f"{URL}{pledge.pk}/").status_code == 404
    assert api_as(personas.commissioner).get(f"{URL}{pledge.pk}/").status_code == 200


def test_outsider_sees_no_public_pledge(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    assert api_as(personas.outsider()).get(f"{URL}{pledge.pk}/").status_code == 404


def test_history_lists_the_steps(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    history = api_as(personas.cadre).get(f"{URL}{pledge.pk}/history/").json()
    assert [h["transition"] for h in history] == ["submit", "approve", "claim", "confirm"]
    assert history[1]["actor"] == "leader01"


def test_transitions_lists_what_the_caller_may_take(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "submitted")
    names = {t["name"] for t in api_as(personas.leader).get(f"{URL}{pledge.pk}/transitions/").json()}
    assert names == {"approve", "return"}


def test_list_query_count_is_bounded(personas, api_as, django_assert_max_num_queries):
    for username in ("cadre001", "cadre002", "cadre003", "cadre004"):
        from organization.models import User

        make_pledge(User.objects.get(username=username), personas.leader, "approved")
    client = api_as(personas.leader)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.json()["count"] == 4


@pytest.fixture
def captured():
    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


@pytest.mark.parametrize(
    ("transition", "event", "recipient"),
    [
        ("submit", "pledge.submitted", "leader"),
        ("approve", "pledge.approved", "cadre"),
        ("return", "pledge.returned", "cadre"),
        ("claim", "pledge.claimed", "leader"),
        ("confirm", "pledge.confirmed", "cadre"),
        ("reject_claim", "pledge.claim_rejected", "cadre"),
        ("mark_unfulfilled", "pledge.unfulfilled", "cadre"),
    ],
)
def test_transition_emits_event(transition, event, recipient, personas, api_as, captured):
    pledge = make_pledge(personas.cadre, personas.leader, SOURCE[transition])
    captured.clear()
    actor = personas.cadre if transition in MEMBER_STEPS else personas.leader
    api_as(actor).post(f"{URL}{pledge.pk}/transitions/{transition}/", BODIES[transition], format="json")
    assert [e.name for e in captured] == [event]
    emitted = captured[0]
    assert getattr(personas, recipient).pk in emitted.recipients
    assert personas.cadre.pk not in emitted.recipients or recipient == "cadre"
    assert {"title", "unit", "due_at", "url"} <= set(emitted.context)
    if "reason" in BODIES[transition]:
        assert emitted.context["reason"] == BODIES[transition]["reason"]


def test_every_transition_is_logged_with_actor(personas):
    pledge = make_pledge(personas.cadre, personas.leader, "unfulfilled")
    rows = list(TransitionLog.objects.for_object(pledge).values_list("transition", "actor__username"))
    assert rows == [("submit", "cadre001"), ("approve", "leader01"), ("mark_unfulfilled", "leader01")]


def test_member_records_self_check(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    response = api_as(personas.cadre).post(f"{URL}{pledge.pk}/checks/", {"kind": "self_monthly", "note": "进展顺利"})
    assert response.status_code == 201


def test_member_cannot_record_branch_check(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    response = api_as(personas.cadre).post(
        f"{URL}{pledge.pk}/checks/", {"kind": "branch_half_yearly", "note": "自己查"}
    )
    assert response.status_code == 403


def test_check_without_note_is_400(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    response = api_as(personas.leader).post(f"{URL}{pledge.pk}/checks/", {"kind": "group_quarterly"})
    assert response.status_code == 400 and "note" in response.json()


def test_leader_records_organisation_rating_on_fulfilled_pledge(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "fulfilled")
    body = {"rater": "organisation", "rating": "excellent"}
    assert api_as(personas.leader).post(f"{URL}{pledge.pk}/evaluations/", body).status_code == 201
    assert pledge.evaluations.get().rating == "excellent"


def test_open_pledge_cannot_be_evaluated(personas, api_as):
    pledge = make_pledge(personas.cadre, personas.leader, "approved")
    body = {"rater": "self", "rating": "excellent"}
    assert api_as(personas.cadre).post(f"{URL}{pledge.pk}/evaluations/", body).status_code == 409
