"""A new referral sends the peer worker a short e-mail at once: that a referral waits, and
the link; never the patient's name, reference or the reason."""

from unittest import mock

import pytest
from django.core import mail

from journal import services

pytestmark = pytest.mark.django_db


def _refer(cast):
    return services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="Bodil Jensen",
        patient_reference="AØ-1107",
        reason="Ønsker samtale om at komme i gang igen.",
        contact_route="patient",
    )


def test_the_peer_worker_is_told_at_once_without_patient_data(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://peer.rn.dk"
    with django_capture_on_commit_callbacks(execute=True):
        _refer(cast)
    (message,) = mail.outbox
    assert message.to == [cast.peer.staff_member.email]
    assert message.subject == "En ny henvisning i Peerprogram"
    assert "https://peer.rn.dk/journal/referrals/" in message.body
    for secret in ("Bodil", "Jensen", "AØ-1107", "komme i gang"):
        assert secret not in message.subject + message.body


def test_the_e_mail_is_in_the_peer_workers_language(
    cast, settings, django_capture_on_commit_callbacks
):
    member = cast.peer.staff_member
    member.language = "en"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        _refer(cast)
    assert mail.outbox[0].subject == "A new referral in Peerprogram"


def test_a_failed_e_mail_leaves_the_referral_standing(cast, django_capture_on_commit_callbacks):
    with (
        mock.patch("journal.services.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        referral = _refer(cast)
    assert referral.pk and mail.outbox == []
