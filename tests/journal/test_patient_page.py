"""A patient's page lists the notes 25 at a time, the newest first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import selectors, services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _patient(peer):
    return services.patient_create(
        by=None,
        peer=peer,
        name="Patient F-1",
        reference="F-1",
        consent_date=datetime.date(2024, 1, 1),
        consent_given="orally",
    )


def _note(peer, patient, days_ago, *, approve=True):
    note = services.note_start(
        patient=patient,
        peer=peer,
        by=None,
        date=TODAY() - datetime.timedelta(days=days_ago),
        place="ward",
        activity="conversation",
        minutes=30,
    )
    draft = services.draft_of(note)
    services.draft_save(draft=draft, by=None, expected_version=draft.version, changes={"hope": "h"})
    if approve:
        services.note_approve(note=note, by=None, expected_version=services.draft_of(note).version)
    return note


def test_the_notes_are_shown_25_a_page_newest_first(client_for, cast):
    patient = _patient(cast.peer)
    per_page = selectors.NOTES_PER_PAGE
    # Written in an order other than their dates: the date decides.
    ages = [(n * 11) % (per_page + 3) + 2 for n in range(per_page + 3)]
    notes = {age: _note(cast.peer, patient, age) for age in ages}
    # A draft shows with the date of its draft ...
    draft = _note(cast.peer, patient, 0, approve=False)
    # ... and a final note with a change waiting with the date it stands at.
    waiting = services.note_revise(note=notes[ages[0]], peer=cast.peer, by=None)
    services.draft_save(
        draft=waiting, by=None, expected_version=waiting.version, changes={"date": TODAY()}
    )
    client = client_for("peer", "en")
    first = client.get(patient.get_absolute_url())
    second = client.get(patient.get_absolute_url(), {"page": 2})
    newest_first = [draft.pk] + [notes[age].pk for age in sorted(ages)]
    assert [n.pk for n in first.context["notes"]] == newest_first[:per_page]
    assert [n.pk for n in second.context["notes"]] == newest_first[per_page:]
    assert "Page 2 of 2" in second.content.decode()
    revised = next(n for n in first.context["notes"] if n.pk == notes[ages[0]].pk)
    assert (revised.shown.number, revised.draft.number, len(revised.version_list)) == (1, 2, 2)
    assert f'href="{reverse("journal:note_detail", args=[draft.pk])}"' in first.content.decode()
