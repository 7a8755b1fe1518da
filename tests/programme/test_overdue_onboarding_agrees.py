"""The Centre's home says how many units have overdue checklists; the health page it links
to lists the same units."""

import pytest

from programme import selectors

pytestmark = pytest.mark.django_db


def test_the_home_pages_count_is_the_units_the_health_page_marks(demo_programme):
    rows = selectors.unit_health(selectors.active_units())
    marked = [row.unit.name for row in rows if row.overdue_checklists]
    assert marked
    assert selectors.units_with_overdue_onboarding() == len(marked)
