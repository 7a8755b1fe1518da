"""The programme-wide statistics read a page of units in as many queries for 3 units as for
a programme of 53 (tests/journal/test_queries.py pins the other journal pages)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import services
from journal.selectors import STATISTICS_PER_PAGE as PER_PAGE
from tests.factories import PeerWorkerFactory, UnitFactory

from .test_queries import STATISTICS_QUERIES, _count, _note

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.mark.parametrize("units", [3, 2 * PER_PAGE + 3], ids=["3 units", "a programme"])
@pytest.mark.parametrize("page", [1, 3])
def test_the_programme_wide_statistics_use_as_many_queries_for_3_units_as_for_53(
    client_for, cast, units, page, django_assert_max_num_queries
):
    """The Centre reads a page of units; the totals of all units are added up by the database."""
    for n in range(units - 2):  # the cast brings two units with peer workers
        peer = PeerWorkerFactory(staff_member__unit=UnitFactory(name=f"Enhed {n:03d}"))
        patient = services.patient_create(
            by=None,
            peer=peer,
            name="P",
            reference=f"U{n}",
            consent_date=TODAY() - datetime.timedelta(days=400),
            consent_given="orally",
        )
        _note(peer, patient, days_ago=n % 300 + 1)
    response = _count(
        client_for("centre"),
        reverse("journal:statistics") + f"?page={page}",
        django_assert_max_num_queries,
        STATISTICS_QUERIES["centre"],
    )
    stats = response.context["stats"]
    shown = min(PER_PAGE, units - PER_PAGE * (min(page, stats.page.paginator.num_pages) - 1))
    assert len(stats.rows) == shown
    assert stats.total.notes == units - 2
