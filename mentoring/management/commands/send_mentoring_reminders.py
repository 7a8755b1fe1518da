"""E-mail mentors about today's check-in and leaders about mentorships with warnings.

Meant for a daily cron job or systemd timer; each reminder is sent at most once a day
(ReminderSent). Exits non-zero when any e-mail could not be sent, naming how many, so that
the timer shows it; the next run tries those again.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentoring.models import CheckIn, ReminderSent
from mentoring.selectors import active_mentorships, health_rows
from mentoring.services import send_once


class Command(BaseCommand):
    help = "Send today's mentoring reminders (check-ins to mentors, warnings to leaders)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        sent = {"checkin": 0, "leader": 0}
        failed = 0
        with translation.override(settings.LANGUAGE_CODE):
            checkins = CheckIn.objects.filter(
                date=today, status=CheckIn.Status.PLANNED, mentorship__end_date__isnull=True
            ).select_related("mentorship__mentor", "mentorship__peer__staff_member")
            for checkin in checkins:
                mentor = checkin.mentorship.mentor
                if not (mentor.active and mentor.email):
                    continue
                peer = checkin.mentorship.peer.name
                subject = _("Check-in today with %(peer)s") % {"peer": peer}
                body = _(
                    "Today at %(time)s you have your check-in with %(peer)s. "
                    "Log it in Peerprogram afterwards: it takes a few seconds."
                ) % {"time": checkin.time.strftime("%H:%M"), "peer": peer}
                if send_once("checkin", str(checkin.pk), today, mentor.email, subject, body):
                    sent["checkin"] += 1
                elif not _recorded("checkin", str(checkin.pk), today):
                    failed += 1

            by_leader = defaultdict(list)
            mentorships = active_mentorships().select_related("peer__staff_member__unit__leader")
            for health in health_rows(mentorships):
                leader = health.mentorship.peer.staff_member.unit.leader
                if health.warning and leader and leader.active and leader.email:
                    by_leader[leader].append(health)
            for leader, rows in by_leader.items():
                lines = [
                    f"- {h.mentorship.peer.name} ({h.mentorship.mentor.name}): {h.warning}"
                    for h in rows
                ]
                body = _("These mentorships in your unit need attention:") + "\n\n"
                body += "\n".join(lines)
                subject = _("Mentorships that need attention")
                if send_once("leader", str(leader.pk), today, leader.email, subject, body):
                    sent["leader"] += 1
                elif not _recorded("leader", str(leader.pk), today):
                    failed += 1
        self.stdout.write(
            f"Sent {sent['checkin']} check-in reminder(s) to mentors and "
            f"{sent['leader']} warning e-mail(s) to leaders for {today.isoformat()}."
        )
        if failed:
            raise CommandError(
                f"{failed} mentoring reminder(s) could not be sent; see the log. "
                "Run again to retry."
            )


def _recorded(kind: str, key: str, day: datetime.date) -> bool:
    """Sent before (or by another run at the same time): not a failure."""
    return ReminderSent.objects.filter(kind=kind, key=key, day=day).exists()
