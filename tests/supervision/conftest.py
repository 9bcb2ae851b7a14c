import pytest
import time_machine

from lists import services
from tests.workflows.conftest import at, make_item  # noqa: F401  (fixture)
from workflows.sweep import sweep_deadlines

ASSIGNED = at(2026, 11, 30, 9)
DUE = at(2026, 12, 11, 17)
ESCALATION_DAY = at(2026, 12, 16, 17)  # three working days overdue


def sweep(when):
    with time_machine.travel(when, tick=False):
        return sweep_deadlines(as_of=when)


@pytest.fixture
def now_overdue():
    """The clock stands at the escalation day for the whole test."""
    with time_machine.travel(ESCALATION_DAY, tick=False):
        yield ESCALATION_DAY


@pytest.fixture
def overdue_item(make_item, personas):  # noqa: F811  (the imported fixture)
    """An accepted item of branch 01, three working days overdue and swept: escalated, case open."""
    item = make_item(assigned_at=ASSIGNED, due_at=DUE)
    with time_machine.travel(at(2026, 12, 1, 8), tick=False):
        services.item_accept(item=item, actor=personas.cadre)
    sweep(ESCALATION_DAY)
    item.refresh_from_db()
    return item


@pytest.fixture
def late_item(make_item, personas):  # noqa: F811  (the imported fixture)
    """An item of branch 01 overdue but not yet escalated (no case)."""
    item = make_item(assigned_at=ASSIGNED, due_at=at(2026, 12, 15, 17), title="迟交材料")
    sweep(at(2026, 12, 16, 9))
    item.refresh_from_db()
    return item


@pytest.fixture
def case(overdue_item):
    from supervision.models import SupervisionCase

    return SupervisionCase.objects.get(object_id=overdue_item.pk)
