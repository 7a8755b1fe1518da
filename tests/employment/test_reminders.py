"""The renewal reminder: a leader is e-mailed once when a temporary post is two months from
its end, again only for a new end date, and the command fails loudly when mail fails."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _ends_in(cast, days):
    cast.peer.start_date = TODAY() - datetime.timedelta(days=300)
    cast.peer.end_date = TODAY() + datetime.timedelta(days=days)
    cast.peer.save()


def test_the_leader_is_reminded_once_per_end_date(cast, settings):
    settings.SITE_URL = "https://peer.rn.dk"
    _ends_in(cast, 70)  # more than two months away: not yet
    call_command("send_employment_reminders")
    assert mail.outbox == []
    _ends_in(cast, 40)
    call_command("send_employment_reminders")
    (message,) = mail.outbox
    assert message.to == [cast.leader.email]
    assert message.subject.startswith("En tidsbegrænset stilling slutter")
    assert cast.peer.name in message.subject
    assert f"https://peer.rn.dk/peers/{cast.peer.pk}/" in message.body
    call_command("send_employment_reminders")
    assert len(mail.outbox) == 1  # once
    _ends_in(cast, 55)  # extended: a new end date, a new reminder
    call_command("send_employment_reminders")
    assert len(mail.outbox) == 2


def test_an_ended_or_permanent_employment_gets_no_reminder(cast):
    _ends_in(cast, -1)
    cast.other_peer.end_date = None
    cast.other_peer.save()
    call_command("send_employment_reminders")
    assert mail.outbox == []


def test_a_failed_e_mail_fails_the_command_and_is_tried_again(cast):
    _ends_in(cast, 30)
    with (
        mock.patch("mentoring.services.send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(CommandError),
    ):
        call_command("send_employment_reminders")
    assert mail.outbox == []
    call_command("send_employment_reminders")
    assert len(mail.outbox) == 1


def test_a_post_ending_for_a_new_job_gets_no_renewal_reminder(cast):
    _ends_in(cast, 30)
    cast.peer.end_reason = "new_job"
    cast.peer.save()
    call_command("send_employment_reminders")
    assert mail.outbox == []
    cast.peer.end_reason = "temporary"
    cast.peer.save()
    call_command("send_employment_reminders")
    assert len(mail.outbox) == 1
