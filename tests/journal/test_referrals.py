"""Referrals: a colleague refers a patient to the unit's peer worker, who accepts or declines."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from journal import services
from journal.models import Patient, Referral
from tests.factories import PeerWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def refused(call):
    """The messages of the ValidationError `call` raises, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            call()
        error = caught.value
        return error.message_dict if hasattr(error, "error_dict") else error.messages


def _refer(cast, *, by=None, peer=None, name="Bo B.", reference="F-202", **extra):
    referrer = by or cast.mentor
    fields = {"reason": "Wants to talk about going back to work.", "contact_route": "patient"}
    return services.referral_create(
        by=referrer.user,
        referred_by=referrer,
        peer=peer or cast.peer,
        patient_name=name,
        patient_reference=reference,
        **{**fields, **extra},
    )


def _peer_user(cast):
    return cast.peer.staff_member.user


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_mentor_refers_a_patient_to_the_units_peer(cast):
    referral = _refer(cast, name=" Bo B. ", reference=" F-202 ")
    row = Referral.objects.values(
        "unit", "peer", "referred_by", "patient_name", "patient_reference", "status", "patient"
    ).get()
    assert row == {
        "unit": cast.unit.pk,
        "peer": cast.peer.pk,
        "referred_by": cast.mentor.pk,
        "patient_name": "Bo B.",
        "patient_reference": "F-202",
        "status": "pending",
        "patient": None,
    }
    assert referral.decided_at is None


def test_referring_to_a_peer_of_another_unit_is_refused(cast):
    assert refused(lambda: _refer(cast, peer=cast.other_peer)) == {
        "peer": ["Choose an active peer worker of your own unit."]
    }
    assert not Referral.objects.exists()


def test_a_peer_cannot_refer_a_patient_to_themself(cast):
    assert refused(lambda: _refer(cast, by=cast.peer.staff_member)) == {
        "peer": ["You cannot refer a patient to yourself."]
    }


def test_the_other_route_of_contact_must_be_described(cast):
    assert refused(lambda: _refer(cast, contact_route="other", contact_other=" ")) == {
        "contact_other": ["Describe the other way of making contact."]
    }
    assert not Referral.objects.exists()


def test_the_mentor_refers_through_the_form_and_only_the_units_peers_are_offered(client_for, cast):
    client = client_for("mentor", "en")
    page = client.get(reverse("journal:referral_create"))
    assert list(page.context["form"].fields["peer"].queryset) == [cast.peer]
    response = client.post(
        reverse("journal:referral_create"),
        {
            "peer": cast.peer.pk,
            "patient_name": "Bo B.",
            "patient_reference": "F-202",
            "reason": "Wants to talk about work.",
            "contact_route": "contact_person",
            "contact_other": "ignored unless other",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == referral.get_absolute_url()
    assert (referral.referred_by, referral.peer, referral.contact_other) == (
        cast.mentor,
        cast.peer,
        "",
    )


def test_the_form_refuses_a_peer_of_another_unit(client_for, cast):
    response = client_for("mentor", "en").post(
        reverse("journal:referral_create"),
        {
            "peer": cast.other_peer.pk,
            "patient_name": "Bo B.",
            "patient_reference": "F-202",
            "reason": "Wants to talk about work.",
            "contact_route": "patient",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "peer": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not Referral.objects.exists()


# Accepting ----------------------------------------------------------------------------


def test_accepting_puts_a_new_patient_on_the_peers_caseload(cast):
    referral = _refer(cast)
    consent = TODAY() - datetime.timedelta(days=1)
    patient = services.referral_accept(
        referral=referral, by=_peer_user(cast), consent_date=consent, consent_given="writing"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.patient, referral.decided_at is not None) == (
        "accepted",
        patient,
        True,
    )
    assert list(patient.peers.all()) == [cast.peer]
    assert (patient.unit, patient.name, patient.reference, patient.status) == (
        cast.unit,
        "Bo B.",
        "F-202",
        "active",
    )
    assert (patient.consent_date, patient.consent_given) == (consent, "writing")


def test_accepting_a_known_reference_reuses_the_patient_and_adds_the_peer(cast):
    colleague = PeerWorkerFactory(
        staff_member__name="Kim Kollega",
        staff_member__unit=cast.unit,
        staff_member__user=UserFactory(username="colleague"),
    )
    known = services.patient_create(
        by=colleague.staff_member.user, peer=colleague, name="Bo Berg", reference="f-202"
    )
    referral = _refer(cast, name="bo berg", reference="F-202")
    patient = services.referral_accept(referral=referral, by=_peer_user(cast))
    assert patient.pk == known.pk
    assert Patient.objects.count() == 1
    assert set(patient.peers.all()) == {colleague, cast.peer}
    referral.refresh_from_db()
    assert referral.patient_id == known.pk
    # The known patient's facts are the unit's; the referral does not rename them.
    known.refresh_from_db()
    assert (known.name, known.reference) == ("Bo Berg", "F-202")


def test_accepting_a_referral_of_an_ended_patient_reopens_them(cast):
    known = services.patient_create(
        by=_peer_user(cast), peer=cast.peer, name="Bo B.", reference="F-202"
    )
    services.patient_update(
        patient=known,
        by=_peer_user(cast),
        expected_version=known.version,
        status="ended",
        ended_on=TODAY(),
    )
    patient = services.referral_accept(referral=_refer(cast), by=_peer_user(cast))
    patient.refresh_from_db()
    assert (patient.pk, patient.status, patient.ended_on) == (known.pk, "active", None)


def test_a_reference_known_in_another_unit_is_not_reused(cast):
    services.patient_create(by=None, peer=cast.other_peer, name="Someone else", reference="F-202")
    patient = services.referral_accept(referral=_refer(cast), by=_peer_user(cast))
    assert (patient.unit, patient.name) == (cast.unit, "Bo B.")
    assert Patient.objects.count() == 2


def test_declining_needs_a_reason(cast):
    referral = _refer(cast)
    assert refused(
        lambda: services.referral_decline(referral=referral, by=_peer_user(cast), reason="  ")
    ) == {"decline_reason": ["Give a reason for declining."]}
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("pending", "")


def test_declining_records_the_reason_for_the_colleague(cast):
    referral = _refer(cast)
    services.referral_decline(referral=referral, by=_peer_user(cast), reason=" Full caseload ")
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason, referral.patient) == (
        "declined",
        "Full caseload",
        None,
    )
    assert referral.decided_at is not None
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("first", "second"),
    [("accept", "accept"), ("accept", "decline"), ("decline", "accept"), ("decline", "decline")],
)
def test_a_referral_cannot_be_answered_twice(cast, first, second):
    referral = _refer(cast)

    def answer(how):
        if how == "accept":
            return services.referral_accept(referral=referral, by=_peer_user(cast))
        return services.referral_decline(referral=referral, by=_peer_user(cast), reason="Busy")

    answer(first)
    referral.refresh_from_db()
    before = (referral.status, referral.patient_id, referral.decline_reason, referral.decided_at)
    assert refused(lambda: answer(second)) == ["This referral has already been answered."]
    referral.refresh_from_db()
    assert (
        referral.status,
        referral.patient_id,
        referral.decline_reason,
        referral.decided_at,
    ) == before
    assert Patient.objects.count() == (1 if first == "accept" else 0)


# Through the views --------------------------------------------------------------------


def test_the_peer_accepts_through_the_page_and_lands_on_the_patient(client_for, cast):
    referral = _refer(cast)
    client = client_for("peer", "en")
    response = client.post(
        reverse("journal:referral_accept", args=[referral.pk]),
        {"consent_date": "", "consent_given": ""},
        follow=True,
    )
    patient = Patient.objects.get()
    assert response.redirect_chain == [(patient.get_absolute_url(), 302)]
    assert "You accepted the referral. Bo B. is on your caseload." in _text(response)
    assert list(patient.peers.all()) == [cast.peer]
    referral.refresh_from_db()
    assert (referral.status, referral.patient) == ("accepted", patient)


def test_accepting_twice_through_the_page_shows_the_refusal(client_for, cast):
    referral = _refer(cast)
    services.referral_accept(referral=referral, by=_peer_user(cast))
    response = client_for("peer", "en").post(
        reverse("journal:referral_accept", args=[referral.pk]), {}
    )
    assert response.status_code == 200
    assert response.context["accept_form"].non_field_errors() == [
        "This referral has already been answered."
    ]
    assert "This referral has already been answered." in _text(response)
    assert Patient.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "mentor", "centre", "admin", "outsider"])
def test_only_the_peer_the_referral_is_for_can_accept_it(client_for, cast, role):
    referral = _refer(cast)
    response = client_for(role, "en").post(
        reverse("journal:referral_accept", args=[referral.pk]), {}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "pending"
    assert not Patient.objects.exists()


@pytest.mark.parametrize("role", ["leader", "mentor", "centre", "admin", "outsider"])
def test_only_the_peer_the_referral_is_for_can_decline_it(client_for, cast, role):
    referral = _refer(cast)
    response = client_for(role, "en").post(
        reverse("journal:referral_decline", args=[referral.pk]), {"decline_reason": "No"}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_another_peer_who_referred_the_patient_cannot_accept_it(client, cast):
    colleague = PeerWorkerFactory(
        staff_member__unit=cast.unit, staff_member__user=UserFactory(username="colleague")
    )
    referral = _refer(cast, by=colleague.staff_member)
    client.force_login(colleague.staff_member.user)
    assert client.get(reverse("journal:referral_detail", args=[referral.pk])).status_code == 200
    response = client.post(reverse("journal:referral_accept", args=[referral.pk]), {})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_the_peer_declines_through_the_page(client_for, cast):
    referral = _refer(cast)
    response = client_for("peer", "en").post(
        reverse("journal:referral_decline", args=[referral.pk]),
        {"decline_reason": "My caseload is full this month."},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("journal:referral_list"), 302)]
    assert "You declined the referral; your colleague can see why." in _text(response)
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (
        "declined",
        "My caseload is full this month.",
    )


# The referral list --------------------------------------------------------------------


def _table_rows(content: str, testid: str) -> list[str]:
    start = content.index(f'data-testid="{testid}"')
    body = content[start : content.index("</table>", start)]
    return [row.split("</tr>")[0] for row in body.split("<tr>")[2:]]


def test_the_peer_sees_referrals_received_and_sent(client_for, cast):
    colleague = PeerWorkerFactory(
        staff_member__name="Kim Kollega",
        staff_member__unit=cast.unit,
        staff_member__user=UserFactory(username="colleague"),
    )
    received = _refer(cast, name="Bo B.", reference="F-202")
    sent = _refer(cast, by=cast.peer.staff_member, peer=colleague, name="Cai C.", reference="F-3")
    _refer(cast, by=cast.leader, peer=colleague, name="Dan D.", reference="F-4")
    response = client_for("peer", "en").get(reverse("journal:referral_list"))
    assert list(response.context["received"]) == [received]
    assert list(response.context["sent"]) == [sent]
    content = response.content.decode()
    [row] = _table_rows(content, "received")
    assert "Bo B. (F-202)" in row and "Mads Mentor" in row and "Waiting for an answer" in row
    [row] = _table_rows(content, "sent")
    assert "Cai C. (F-3)" in row and "Kim Kollega" in row
    assert "Dan D." not in content


def test_the_mentor_sees_only_the_referrals_they_sent(client_for, cast):
    referral = _refer(cast)
    services.referral_decline(referral=referral, by=_peer_user(cast), reason="Full")
    _refer(cast, by=cast.leader, name="Dan D.", reference="F-4")
    response = client_for("mentor", "en").get(reverse("journal:referral_list"))
    assert response.context["is_peer"] is False
    assert list(response.context["sent"]) == [referral]
    content = response.content.decode()
    assert 'data-testid="received"' not in content
    [row] = _table_rows(content, "sent")
    assert "Bo B. (F-202)" in row and "Pia Peer" in row and "Declined" in row
    assert "Dan D." not in content


def test_the_referral_page_shows_the_decline_reason_to_the_referrer(client_for, cast):
    referral = _refer(cast)
    services.referral_decline(referral=referral, by=_peer_user(cast), reason="Full caseload")
    response = client_for("mentor", "en").get(
        reverse("journal:referral_detail", args=[referral.pk])
    )
    assert response.context["answering"] is False
    assert "Full caseload" in response.content.decode()
    assert reverse("journal:referral_accept", args=[referral.pk]) not in response.content.decode()


def test_a_colleague_outside_the_referral_cannot_open_it(client_for, cast):
    referral = _refer(cast)
    assert (
        client_for("leader", "en")
        .get(reverse("journal:referral_detail", args=[referral.pk]))
        .status_code
        == 404
    )


def test_a_known_reference_under_another_name_is_not_accepted(cast):
    """Accepting would open the known patient's notes to the peer: the peer checks first."""
    peer_user = cast.peer.staff_member.user
    known = services.patient_create(
        by=peer_user,
        peer=cast.peer,
        name="Anna",
        reference="aø-1042",
        consent_date=timezone.localdate(),
        consent_given="orally",
    )
    assert known.reference == "AØ-1042"
    referral = services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="Bo",
        patient_reference="AØ-1042",
        reason="Wants peer support.",
        contact_route="patient",
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.referral_accept(referral=referral, by=peer_user)
    assert caught.value.messages == [
        "The unit already has a patient with the reference AØ-1042, under another name. "
        "Check the reference with Mads Mentor before accepting."
    ]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_references_are_the_same_whatever_the_case(cast):
    peer_user = cast.peer.staff_member.user
    known = services.patient_create(
        by=peer_user,
        peer=cast.peer,
        name="Anna",
        reference="aø-1042",
        consent_date=timezone.localdate(),
        consent_given="orally",
    )
    referral = services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="anna",
        patient_reference="Aø-1042",
        reason="Wants peer support.",
        contact_route="patient",
    )
    assert services.referral_accept(referral=referral, by=peer_user) == known
