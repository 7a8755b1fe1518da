"""E-mail mentors about today's check-in and leaders about mentorships with warnings.

Meant for a daily cron job; each reminder is sent at most once a day (ReminderSent).
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentoring.models import CheckIn, ReminderSent
from mentoring.selectors import active_mentorships, health_rows


def _once(kind: str, key: str, day, to: str) -> bool:
    """Record the reminder; False if it was already sent today."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, day=day, to=to)
    except IntegrityError:
        return False
    return True


class Command(BaseCommand):
    help = "Send today's mentoring reminders (check-ins to mentors, warnings to leaders)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        sent = {"checkin": 0, "leader": 0}
        with translation.override(settings.LANGUAGE_CODE):
            for checkin in CheckIn.objects.filter(
                date=today,
                status=CheckIn.Status.PLANNED,
                mentorship__end_date__isnull=True,
            ).select_related("mentorship__mentor", "mentorship__peer__staff_member"):
                mentor = checkin.mentorship.mentor
                if not mentor.email or not _once("checkin", str(checkin.pk), today, mentor.email):
                    continue
                send_mail(
                    _("Check-in today with %(peer)s") % {"peer": checkin.mentorship.peer.name},
                    _(
                        "Today at %(time)s you have your check-in with %(peer)s. "
                        "Log it in Peerprogram afterwards: it takes a few seconds."
                    )
                    % {
                        "time": checkin.time.strftime("%H:%M"),
                        "peer": checkin.mentorship.peer.name,
                    },
                    settings.DEFAULT_FROM_EMAIL,
                    [mentor.email],
                )
                sent["checkin"] += 1

            by_leader = defaultdict(list)
            for health in health_rows(active_mentorships()):
                leader = health.mentorship.peer.staff_member.unit.leader
                if health.warning and leader and leader.email:
                    by_leader[leader].append(health)
            for leader, rows in by_leader.items():
                if not _once("leader", str(leader.pk), today, leader.email):
                    continue
                lines = [
                    f"- {h.mentorship.peer.name} ({h.mentorship.mentor.name}): {h.warning}"
                    for h in rows
                ]
                send_mail(
                    _("Mentorships that need attention"),
                    _("These mentorships in your unit need attention:") + "\n\n" + "\n".join(lines),
                    settings.DEFAULT_FROM_EMAIL,
                    [leader.email],
                )
                sent["leader"] += 1
        self.stdout.write(
            f"Sent {sent['checkin']} check-in reminder(s) to mentors and "
            f"{sent['leader']} warning e-mail(s) to leaders for {today.isoformat()}."
        )
