"""Pinned query counts of the staff import, at two file sizes.

A file is read with a fixed number of queries (the session, the user, the stored rows with
the file's e-mails, the units, the taken e-mails, a leader's rules, the checked file kept
and taken) plus a few per batch of rows written together (two savepoints, the INSERT or
UPDATE, the audit rows' INSERT). A query per row fails these tests at 200 rows, and already
at 20.
"""

import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerprogram.models import AuditEvent, StaffMember
from peerprogram.resources import StaffResource

pytestmark = pytest.mark.django_db

URL = reverse("peerprogram:data_import", kwargs={"kind": "staff"})
SIZES = [20, 200]
FIXED = 23  # measured: a leader updating 200 staff (two batches) takes 22 + 2 × 6
PER_BATCH = 6


def _most(rows: int) -> int:
    return FIXED + PER_BATCH * math.ceil(rows / StaffResource._meta.batch_size)


def _upload(client, lines: list[str]):
    body = "name,email,phone,unit,profession\n" + "".join(f"{line}\n" for line in lines)
    return client.post(URL, {"file": SimpleUploadedFile("staff.csv", body.encode())})


@pytest.mark.parametrize("rows", SIZES)
def test_checking_and_importing_new_staff_takes_the_same_queries_at_any_size(
    client_for, cast, rows, django_assert_max_num_queries
):
    client = client_for("centre")
    lines = [f"Person {i},P{i}@Example.org,,F-ACT Øst,nurse" for i in range(rows)]

    with django_assert_max_num_queries(_most(rows)):
        response = _upload(client, lines)
    assert (response.context["report"].ok, response.context["report"].new) == (True, rows)

    with django_assert_max_num_queries(_most(rows)):
        response = client.post(URL, {"confirm": "1", "digest": response.context["digest"]})
    assert response.status_code == 302
    imported = StaffMember.objects.filter(email__endswith="@example.org", name__startswith="Person")
    assert imported.count() == rows
    assert AuditEvent.objects.filter(action="staff_import", summary="created").count() == rows


@pytest.mark.parametrize("rows", SIZES)
def test_a_leader_updating_their_staff_takes_the_same_queries_at_any_size(
    client_for, cast, rows, django_assert_max_num_queries
):
    StaffMember.objects.bulk_create(
        StaffMember(
            name=f"Person {i}", email=f"p{i}@example.org", unit=cast.unit, profession="sosu"
        )
        for i in range(rows)
    )
    client = client_for("leader")
    lines = [f"Person {i},p{i}@example.org,+45 {i},F-ACT Øst,sosu" for i in range(rows)]

    with django_assert_max_num_queries(_most(rows)):
        response = _upload(client, lines)
    assert (response.context["report"].ok, response.context["report"].updated) == (True, rows)

    with django_assert_max_num_queries(_most(rows)):
        response = client.post(URL, {"confirm": "1", "digest": response.context["digest"]})
    assert response.status_code == 302
    assert sorted(
        StaffMember.objects.filter(name__startswith="Person").values_list("phone", "version")
    ) == sorted((f"+45 {i}", 2) for i in range(rows))
    assert AuditEvent.objects.filter(action="staff_import", summary="updated").count() == rows


@pytest.mark.parametrize("rows", SIZES)
def test_checking_a_file_of_unchanged_staff_takes_the_same_queries_at_any_size(
    client_for, cast, rows, django_assert_max_num_queries
):
    StaffMember.objects.bulk_create(
        StaffMember(name=f"Person {i}", email=f"p{i}@example.org", unit=cast.unit, profession="ot")
        for i in range(rows)
    )
    client = client_for("leader")
    lines = [f"Person {i},p{i}@example.org,,F-ACT Øst,ot" for i in range(rows)]

    with django_assert_max_num_queries(_most(rows)):
        response = _upload(client, lines)

    report = response.context["report"]
    assert (report.ok, report.new, report.updated, report.unchanged) == (True, 0, 0, rows)
