"""The weekly digest: each person's action list, only when it is not empty, in their own
language, once a week, with no patient data; a failed e-mail fails the command."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from journal import services as journal_services
from mentoring.models import ReminderSent
from peerprogram.models import StaffMember

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _referral(cast):
    return journal_services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="Bodil Jensen",
        patient_reference="AØ-1107",
        reason="Ønsker samtale.",
        contact_route="patient",
    )


def _digests():
    return {m.to[0]: m for m in mail.outbox if "Peerprogram:" in m.subject}


def test_each_person_with_something_waiting_gets_one_digest_a_week(cast, settings):
    settings.SITE_URL = "https://peer.rn.dk"
    _referral(cast)
    mail.outbox.clear()
    call_command("send_weekly_digest")
    digests = _digests()
    peer = digests[cast.peer.staff_member.email]
    assert "1 henvisning at svare på" in peer.body
    assert "https://peer.rn.dk" + reverse("journal:referral_list") in peer.body
    assert "https://peer.rn.dk" + reverse("programme:my_emails") in peer.body
    for secret in ("Bodil", "Jensen", "AØ-1107"):
        assert secret not in peer.subject + peer.body
    # The leader has their own list (the peer worker's talks, the signals, ...).
    assert cast.leader.email in digests
    # Nothing waits for the mentor: no e-mail.
    assert cast.mentor.email not in digests
    count = len(mail.outbox)
    call_command("send_weekly_digest")
    assert len(mail.outbox) == count  # once a week
    monday = TODAY() - datetime.timedelta(days=TODAY().weekday())
    assert ReminderSent.objects.filter(kind="digest", day=monday).count() == len(digests)


def test_a_person_who_opts_out_gets_none_and_the_language_is_their_own(client_for, cast):
    _referral(cast)
    mail.outbox.clear()
    client = client_for("leader")
    leader = StaffMember.objects.get(pk=cast.leader.pk)
    response = client.post(
        reverse("programme:my_emails"),
        {"weekly_digest": "", "language": "da", "version": leader.version},
    )
    assert response.status_code == 302
    member = cast.peer.staff_member
    member.language = "en"
    member.save()
    call_command("send_weekly_digest")
    digests = _digests()
    assert cast.leader.email not in digests
    assert "1 referral to answer" in digests[member.email].body


def test_a_failed_e_mail_fails_the_command_naming_how_many(cast):
    _referral(cast)
    mail.outbox.clear()
    with (
        mock.patch("mentoring.services.send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(CommandError, match=r"^\d+ weekly digest"),
    ):
        call_command("send_weekly_digest")
    assert not ReminderSent.objects.filter(kind="digest").exists()
    call_command("send_weekly_digest")
    assert _digests()


def test_a_stale_form_on_the_email_page_is_refused(client_for, cast):
    client = client_for("peer")
    response = client.post(
        reverse("programme:my_emails"), {"weekly_digest": "on", "language": "en", "version": 0}
    )
    assert response.status_code == 200
    assert StaffMember.objects.get(pk=cast.peer.staff_member.pk).language == "da"
