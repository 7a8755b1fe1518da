"""The survey's daily part (`manage.py daily`): every open round invites the people it
asks who have no invitation yet (on its first day everyone, later those who have joined),
and a round closing within REMIND_DAYS reminds those who have not answered, once."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import SurveyRound

REMIND_DAYS = 5


def link_for(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("evaluation:answer", args=[token])


class Command(BaseCommand):
    help = "Send the open survey rounds' invitations, and the reminders before they close."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for survey in SurveyRound.objects.filter(opens_on__lte=today, closes_on__gte=today):
            sent = services.invitations_send(survey=survey, by=None, link_for=link_for)
            line = f"{survey.title}: {sent.sent} invitations"
            if survey.reminded_on is None and survey.closes_on <= today + datetime.timedelta(
                days=REMIND_DAYS
            ):
                reminded = services.reminders_send(survey=survey, by=None, link_for=link_for)
                line += f", {reminded.sent} reminders"
                sent.failed += reminded.failed
            if sent.failed:
                line += f", {sent.failed} failed"
            self.stdout.write(line)
