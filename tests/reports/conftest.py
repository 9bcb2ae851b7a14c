"""The tests of this folder work out business scores by hand: they run under a 2026 scheme that
weighs the business figures only (20 : 60 : 20, Party building 0), so their figures stay the
ones worked out in their comments. Party building's weights are tested in
tests/partylife/test_party_building.py."""

import pytest

from tests.reports.helpers import business_scheme


@pytest.fixture(autouse=True)
def _business_weights_only(db):
    business_scheme()
