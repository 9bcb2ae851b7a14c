"""One way to drive a flow (DESIGN.md principle 9): the engine's hook after every transition.

``apply_transition`` calls the driver the subject's app registered, in the transition's own
transaction, with the log row it just wrote; flows never call services.
"""

import ast
from pathlib import Path

from django.db import transaction

from tests.lists.lists_builders import item_in_state
from workflows import flowdrive
from workflows.engine import apply_transition

ROOT = Path(__file__).resolve().parents[2]


def test_a_transition_fires_the_subjects_driver_inside_its_transaction(personas, monkeypatch):
    item = item_in_state(personas, "assigned")
    seen = []
    driver = flowdrive.flow_driver_for(type(item))
    monkeypatch.setitem(
        flowdrive._DRIVERS,
        type(item),
        lambda subject, entry: (
            seen.append((subject.pk, entry.transition, entry.actor, transaction.get_connection().in_atomic_block))
            or driver(subject, entry)
        ),
    )
    with transaction.atomic():
        locked = type(item).objects.select_for_update().get(pk=item.pk)
        apply_transition(locked, "accept", actor=personas.cadre)
    assert seen == [(item.pk, "accept", personas.cadre, True)]


def test_a_subject_without_a_driver_is_left_alone(personas):
    assert flowdrive.flow_driver_for(type(personas.cadre)) is None
    flowdrive.drive_flow(personas.cadre, flowdrive.Creation())  # nothing registered: nothing happens


def _flow_modules():
    return [path for path in ROOT.glob("*/*flows.py") if ".venv" not in path.parts]


def test_flows_never_call_services():
    """A flow decides who acts next; the pages and the API call the services (principle 9)."""
    modules = _flow_modules()
    assert modules
    for path in modules:
        tree = ast.parse(path.read_text())
        imported = [
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom | ast.Import)
            for name in ([node.module or ""] + [alias.name for alias in node.names])
        ]
        assert not [name for name in imported if "services" in name], path
