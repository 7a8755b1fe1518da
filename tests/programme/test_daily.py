"""The daily command: every part runs, and a failed part makes the command fail, by name."""

import datetime
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from programme.management.commands.daily import PARTS

pytestmark = pytest.mark.django_db


def _expired_session() -> None:
    Session.objects.create(
        session_key="x" * 32,
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(days=1),
    )


def test_the_daily_jobs_run_in_order_and_clear_expired_sessions():
    _expired_session()
    ran = []
    real = call_command

    def spy(name, *args, **kwargs):
        ran.append(name)
        return real(name, *args, **kwargs)

    with mock.patch("programme.management.commands.daily.call_command", side_effect=spy):
        call_command("daily")
    assert ran == PARTS
    assert not Session.objects.exists()


def test_a_failed_part_does_not_stop_the_others_and_fails_the_command():
    _expired_session()
    real = call_command

    def failing(name, *args, **kwargs):
        if name == "send_mentoring_reminders":
            raise CommandError("2 mentoring reminder(s) could not be sent")
        return real(name, *args, **kwargs)

    with (
        mock.patch("programme.management.commands.daily.call_command", side_effect=failing),
        pytest.raises(CommandError, match="Daily jobs failed: send_mentoring_reminders$"),
    ):
        call_command("daily")
    assert not Session.objects.exists()  # clearsessions, after it, still ran
