"""Every list cut into pages is ordered totally: its last sort key is unique.

Names, dates and moments repeat (a seeded or imported programme makes hundreds of rows at
the same moment); when they are all a list is sorted by, the database may order the tied
rows differently from one query to the next, and page 2 can then repeat or skip a row of
page 1.
"""

import pytest
from django.core.paginator import Paginator
from django.db.models import F, OrderBy, QuerySet
from django.urls import reverse

from tests.factories import StaffMemberFactory

LISTS = [
    ("peerprogram:unit_list", {}),
    ("peerprogram:staff_list", {}),
    ("peerprogram:staff_list", {"q": "Samme"}),
    ("peerprogram:peer_list", {}),
    ("recruitment:vacancy_list", {}),
    ("recruitment:checklist_overview", {}),
    ("education:cohort_list", {}),
    *[("mentoring:overview", {"sort": s}) for s in ["", "unit", "mentor", "share", "last"]],
    ("mentoring:overview", {"sort": "start"}),
]


def last_key(queryset: QuerySet) -> str:
    query = queryset.query
    keys = query.order_by or (queryset.model._meta.ordering if query.default_ordering else [])
    assert keys, f"{queryset.model.__name__} is cut into pages without any order"
    key = keys[-1]
    if isinstance(key, OrderBy):
        key = key.expression
    if isinstance(key, F):
        key = key.name
    return str(key).lstrip("-")


def is_unique(model, name: str) -> bool:
    if name == "pk":
        return True
    if "__" in name:
        return False
    field = model._meta.get_field(name)
    return field.primary_key or field.unique


@pytest.fixture
def paged(monkeypatch):
    """The object lists handed to a Paginator while the test runs."""
    seen = []
    original = Paginator.__init__

    def recording(self, object_list, *args, **kwargs):
        seen.append(object_list)
        original(self, object_list, *args, **kwargs)

    monkeypatch.setattr(Paginator, "__init__", recording)
    return seen


@pytest.mark.parametrize(("name", "params"), LISTS)
def test_a_list_cut_into_pages_ends_its_order_with_a_unique_key(
    name, params, cast, client_for, paged
):
    StaffMemberFactory.create_batch(2, name="Samme Navn", unit=cast.unit)
    response = client_for("centre").get(reverse(name), params)
    assert response.status_code == 200
    querysets = [q for q in paged if isinstance(q, QuerySet)]
    assert querysets, f"{name} cut no query into pages"
    for queryset in querysets:
        key = last_key(queryset)
        assert is_unique(queryset.model, key), (
            f"{name} orders {queryset.model.__name__} last by {key!r}, which repeats"
        )


def test_the_staff_list_shows_namesakes_in_the_order_they_were_made(cast, client_for):
    made = [StaffMemberFactory(name="Samme Navn", unit=cast.unit).pk for _ in range(3)]
    page = (
        client_for("centre").get(reverse("peerprogram:staff_list"), {"q": "Samme"}).context["page"]
    )
    assert [m.pk for m in page] == made
