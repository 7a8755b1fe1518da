"""A creating form sent twice (a double click, the browser sending it again) makes one
referral, one note or one group note: the form carries a one-time token, and the second
sending leads to what the first one made."""

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone, translation

from journal import services
from journal.models import GroupNote, Note, Patient, Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
TOKEN_INPUT = re.compile(r'<input type="hidden" name="form_token" value="([0-9a-f-]{36})"')


@dataclass(frozen=True)
class Kind:
    """One creating form: who sends it, where, with what, and what it makes."""

    role: str
    model: type[Model]

    def url(self, cast) -> str:
        if self.model is Note:
            return reverse("journal:note_create", args=[_patient(cast).pk])
        if self.model is Referral:
            return reverse("journal:referral_create")
        return reverse("journal:group_note_create")

    def data(self, cast) -> dict[str, Any]:
        if self.model is Referral:
            return {
                "peer": cast.peer.pk,
                "patient_name": "Bo B.",
                "patient_reference": "F-202",
                "reason": "Wants to talk about work.",
                "contact_route": "patient",
            }
        if self.model is Note:
            date = TODAY().isoformat()
            return {"date": date, "place": "home", "activity": "conversation", "minutes": "45"}
        return {
            "date": TODAY().isoformat(),
            "place": "community",
            "topic": "Sleep and routines",
            "participants": "4",
            "minutes": "90",
        }

    def first_url(self, made: Model) -> str:
        """Where the first sending leads."""
        if isinstance(made, Note):
            return reverse("journal:note_write", args=[made.pk]) + "?step=connectedness"
        if isinstance(made, GroupNote):
            return reverse("journal:group_note_list")
        return made.get_absolute_url()

    def again_url(self, made: Model) -> str:
        """Where the second sending leads: to what the first one made."""
        if isinstance(made, Note):
            return self.first_url(made)
        return made.get_absolute_url()


REFERRAL = Kind("mentor", Referral)
NOTE = Kind("peer", Note)
GROUP_NOTE = Kind("peer", GroupNote)
KINDS = pytest.mark.parametrize(
    "kind", [REFERRAL, NOTE, GROUP_NOTE], ids=lambda k: k.model.__name__
)


def _patient(cast) -> Patient:
    patient = Patient.objects.filter(reference="F-101").first()
    return patient or services.patient_create(
        by=cast.peer.staff_member.user,
        peer=cast.peer,
        name="Anna",
        reference="F-101",
        consent_date=TODAY() - datetime.timedelta(days=3),
        consent_given=Patient.ConsentGiven.ORALLY,
    )


def _token(client, url: str) -> str:
    """The token the form's page hands out, as the browser gets it."""
    page = client.get(url)
    assert page.status_code == 200
    found = TOKEN_INPUT.findall(page.content.decode())
    assert len(found) == 1
    return found[0]


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@KINDS
def test_the_form_sent_twice_makes_one_row_and_the_second_sending_leads_to_it(
    client_for, cast, kind
):
    client = client_for(kind.role, "en")
    url = kind.url(cast)
    data = {**kind.data(cast), "form_token": _token(client, url)}
    first = client.post(url, data)
    made = kind.model.objects.get()
    assert (first.status_code, first.url) == (302, kind.first_url(made))
    again = client.post(url, data)
    assert kind.model.objects.get() == made
    assert (again.status_code, again.url) == (302, kind.again_url(made))
    assert _said(again)[-1] == "This was already saved."


@KINDS
def test_two_forms_make_two_rows(client_for, cast, kind):
    client = client_for(kind.role, "en")
    url = kind.url(cast)
    one, two = _token(client, url), _token(client, url)
    assert one != two
    for token in (one, two):
        assert client.post(url, {**kind.data(cast), "form_token": token}).status_code == 302
    assert sorted(str(t) for t in kind.model.objects.values_list("form_token", flat=True)) == (
        sorted([one, two])
    )


@KINDS
def test_a_form_opened_before_the_token_existed_still_saves(client_for, cast, kind):
    client = client_for(kind.role, "en")
    url = kind.url(cast)
    response = client.post(url, kind.data(cast))
    made = kind.model.objects.get()
    assert (response.status_code, response.url) == (302, kind.first_url(made))
    assert made.form_token is None
    # Without a token nothing tells a second sending from a new form: it saves again.
    client.post(url, kind.data(cast))
    assert kind.model.objects.count() == 2


def test_a_refused_form_keeps_its_token_so_the_corrected_sending_still_counts_once(
    client_for, cast
):
    client = client_for("mentor", "en")
    url = reverse("journal:referral_create")
    token = _token(client, url)
    refused = client.post(url, {**REFERRAL.data(cast), "reason": "", "form_token": token})
    assert refused.status_code == 200 and TOKEN_INPUT.findall(refused.content.decode()) == [token]
    data = {**REFERRAL.data(cast), "form_token": token}
    client.post(url, data)
    client.post(url, data)
    assert Referral.objects.get().form_token == uuid.UUID(token)


def test_a_note_sent_again_after_its_draft_was_discarded_leads_to_the_note(client_for, cast):
    client = client_for("peer", "en")
    url = NOTE.url(cast)
    data = {**NOTE.data(cast), "form_token": _token(client, url)}
    client.post(url, data)
    note = Note.objects.get()
    services.draft_discard(note=note, by=cast.peer.staff_member.user)
    again = client.post(url, data)
    assert (again.status_code, again.url) == (302, note.get_absolute_url())
    assert Note.objects.count() == 1


def test_another_persons_token_is_refused_and_saves_nothing(cast):
    token = uuid.uuid4()
    fields = {"date": TODAY(), "place": "ward", "topic": "Sleep", "participants": 4, "minutes": 60}
    mine = services.group_note_create(
        by=cast.peer.staff_member.user, peer=cast.peer, form_token=token, **fields
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.group_note_create(by=None, peer=cast.other_peer, form_token=token, **fields)
    assert caught.value.messages == ["This form was already used. Open it again to start afresh."]
    assert list(GroupNote.objects.all()) == [mine]


def test_the_service_raises_already_saved_with_the_first_row(cast):
    token = uuid.uuid4()
    fields = {"date": TODAY(), "place": "ward", "topic": "Sleep", "participants": 4, "minutes": 60}
    first = services.group_note_create(by=None, peer=cast.peer, form_token=token, **fields)
    with pytest.raises(services.AlreadySaved) as caught:
        services.group_note_create(by=None, peer=cast.peer, form_token=token, **fields)
    assert caught.value.made == first
    assert GroupNote.objects.count() == 1
