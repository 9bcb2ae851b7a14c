"""The cluster-wide assessment is reused within a process for ``REPORTS_CACHE_SECONDS``."""

import pytest

from reports import selectors
from tests.reports.helpers import build_quarter

pytestmark = pytest.mark.django_db


def test_the_second_reader_reuses_the_figures_and_sees_the_same_ranks(
    personas, shared_report_figures, django_assert_max_num_queries
):
    build_quarter(personas)
    first = selectors.assessment_for(personas.secretary, year=2026, quarter=3)
    personas.secretary._dutyflow_scope = None
    with django_assert_max_num_queries(2):  # the caller's scope only
        second = selectors.assessment_for(personas.secretary, year=2026, quarter=3)
    assert [(r.unit.pk, r.score, r.rank) for r in second.units] == [(r.unit.pk, r.score, r.rank) for r in first.units]


def test_off_by_default_in_the_tests(personas):
    assert selectors.shared_assessment(year=2026, quarter=3) is None
