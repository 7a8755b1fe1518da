"""A Django admin changelist filtered by an id the database cannot hold (past 64 bits:
SQLite raised an OverflowError when the rows were counted) answers as the admin does for
any other bad filter: back to the list with ?e=1, never a 500. Every registered ModelAdmin
uses the checked changelist. The world (tests/peerprogram/conftest.py) is built once for
the module."""

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from peerprogram.admin import CheckedChangeList

pytestmark = pytest.mark.django_db

TOO_LARGE = "99999999999999999999999"


@pytest.fixture
def cast(world, db):
    """This module's cast is the world's (client_for logs its people in)."""
    return world._cast


# (changelist, the query string)
BAD_FILTERS = [
    ("peerprogram_unit", f"leader={TOO_LARGE}"),
    ("peerprogram_unit", f"leader__id__in=1,{TOO_LARGE}"),
    ("peerprogram_unit", f"id__in={TOO_LARGE}"),
    ("peerprogram_staffmember", f"unit={TOO_LARGE}"),
    ("peerprogram_staffmember", f"unit__id__in={TOO_LARGE}"),
    ("peerprogram_staffmember", "unit__id__exact=²"),
    ("peerprogram_peerworker", f"staff_member={TOO_LARGE}"),
    ("peerprogram_peerworker", f"staff_member__id__in={TOO_LARGE}"),
    ("mentoring_checkin", f"mentorship={TOO_LARGE}"),
    ("mentoring_checkin", f"mentorship__id__in={TOO_LARGE}"),
    ("auth_user", f"groups={TOO_LARGE}"),
]


@pytest.mark.parametrize(("changelist", "query"), BAD_FILTERS)
def test_a_filter_by_an_id_the_database_cannot_hold_goes_back_to_the_list(
    client_for, changelist, query
):
    url = reverse(f"admin:{changelist}_changelist")

    response = client_for("admin").get(f"{url}?{query}")

    # SQLite cannot take the number (OverflowError): back to the list with the notice.
    # PostgreSQL takes it and finds nothing: the list, empty. Never a server error.
    if response.status_code == 302:
        assert response["Location"] == f"{url}?e=1"
    else:
        assert connection.vendor == "postgresql" and response.status_code == 200
        # The huge value matches nothing, as an id that does not exist (0) would.
        same = client_for("admin").get(f"{url}?{query.replace(TOO_LARGE, '0')}")
        assert response.context["cl"].result_count == same.context["cl"].result_count


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("peerprogram_unit", {"id__exact": str(2**63 - 1)}),
        ("peerprogram_staffmember", {"id__exact": str(2**63 - 1)}),
        ("peerprogram_peerworker", {"id__exact": str(2**63 - 1)}),
        ("mentoring_checkin", {"id__exact": str(2**63 - 1)}),
        # Django itself answers `=` past 64 bits on a joined table's id with no rows.
        ("peerprogram_staffmember", {"unit__id__exact": TOO_LARGE}),
    ],
)
def test_a_filter_by_an_id_no_row_has_finds_nothing(client_for, changelist, query):
    url = reverse(f"admin:{changelist}_changelist")

    response = client_for("admin").get(url, query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_a_real_unit_still_filters_the_staff(client_for, world):
    url = reverse("admin:peerprogram_staffmember_changelist")

    response = client_for("admin").get(url, {"unit__id__exact": world.other_unit.pk})

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert world.outsider in shown
    assert {member.unit_id for member in shown} == {world.other_unit.pk}


def test_every_registered_admin_checks_its_filters():
    unchecked = [
        type(model_admin).__qualname__
        for model_admin in admin.site._registry.values()
        if not issubclass(model_admin.get_changelist(None), CheckedChangeList)
    ]
    assert unchecked == []
