"""Random sequences of pledge transitions by random people never leave the designed state machine,
and the transition log replays to the final state."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pledges import flows as pledge_flows
from pledges import services
from pledges.models import Pledge
from workflows.engine import TransitionConflict, TransitionForbidden
from workflows.models import TransitionLog

from .pledge_helpers import due_date

# The design (DESIGN.md "Pledge"): (source, transition) → target, and who may take it.
ALLOWED = {
    ("draft", "submit"): "submitted",
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "draft",
    ("approved", "claim"): "claimed",
    ("claimed", "confirm"): "fulfilled",
    ("claimed", "reject_claim"): "approved",
    ("approved", "mark_unfulfilled"): "unfulfilled",
    ("claimed", "mark_unfulfilled"): "unfulfilled",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
}
MEMBER_STEPS = {"submit", "claim", "withdraw"}
PEOPLE = ["cadre", "leader", "colleague", "other_leader", "commissioner"]


def _take(pledge, name, actor):
    if name == "submit":
        return pledge_flows.flow_submit(pledge=pledge, actor=actor)
    if name in ("approve", "return"):
        return pledge_flows.flow_review(pledge=pledge, actor=actor, approve=name == "approve", reason="不具体")
    if name == "claim":
        return pledge_flows.flow_claim(pledge=pledge, actor=actor, evidence_text="记录")
    if name in ("confirm", "reject_claim"):
        return pledge_flows.flow_confirmation(pledge=pledge, actor=actor, confirm=name == "confirm", reason="缺材料")
    method = "pledge_mark_unfulfilled" if name == "mark_unfulfilled" else "pledge_withdraw"
    extra = {"reason": "客观原因"} if name == "mark_unfulfilled" else {}
    return pledge_flows.flow_close(pledge=pledge, actor=actor, method=method, **extra)


steps = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(sorted({t for _, t in ALLOWED}))), min_size=1, max_size=12
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_transitions_follow_the_design_and_replay(sequence, personas):
    with transaction.atomic():
        pledge = services.pledge_create(
            member=personas.cadre,
            text="每月走访结对困难群众两户并帮办实事。",
            due_date=due_date(),
            category="people_needs",
        )
        expected = "draft"
        for who, name in sequence:
            actor = getattr(personas, who)
            allowed_person = who == "cadre" if name in MEMBER_STEPS else who == "leader"
            target = ALLOWED.get((expected, name))
            try:
                pledge = _take(pledge, name, actor)
            except TransitionConflict:
                assert target is None
            except TransitionForbidden:
                assert target is not None and not allowed_person
            else:
                assert target is not None and allowed_person
                expected = target
            pledge = Pledge.objects.get(pk=pledge.pk)
            assert pledge.state == expected
        log = list(TransitionLog.objects.for_object(pledge).order_by("pk"))
        state = "draft"
        for row in log:
            assert row.source == state and ALLOWED[(state, row.transition)] == row.target
            state = row.target
        assert state == pledge.state
        transaction.set_rollback(True)
