"""The weekly digest: each person's action list by e-mail, Monday morning.

Only when something waits for them, in their own language, never with patient data (the
list holds counts, names of staff and units, dates and links). Each person gets at most
one digest a week (ReminderSent keyed by the week's Monday), so running it again the same
week sends nothing new. Exits non-zero when any e-mail could not be sent, naming how many,
so that cron or the systemd timer shows it; the next run tries those again.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.models import ReminderSent
from mentoring.services import send_once
from peerprogram.access import get_actor
from peerprogram.actions import Action
from peerprogram.formats import format_day
from peerprogram.models import StaffMember
from programme.actions import gather


def _line(action: Action, today: datetime.date, site: str) -> str:
    when = ""
    if action.day and action.waiting:
        day = date_format(action.day, "DATE_FORMAT")
        when = " (" + _("waiting since %(day)s") % {"day": day} + ")"
    elif action.day and action.day < today:
        day = date_format(action.day, "DATE_FORMAT")
        when = " (" + _("overdue since %(day)s") % {"day": day} + ")"
    elif action.day:
        when = " (" + format_day(action.day, "WEEKDAY_MONTH_DAY_FORMAT") + ")"
    return f"- {action.text} · {action.whom}{when}\n  {site}{action.url}"


def digest(member: StaffMember, items: list[Action], today: datetime.date) -> tuple[str, str]:
    """The subject and the text of one person's digest, in the current language."""
    site = settings.SITE_URL.rstrip("/")
    subject = ngettext(
        "Peerprogram: %(n)s thing needs you this week",
        "Peerprogram: %(n)s things need you this week",
        len(items),
    ) % {"n": len(items)}
    lines = [_("Hello %(name)s,") % {"name": member.name}, "", _("This needs your action:"), ""]
    lines += [_line(a, today, site) for a in items]
    lines += [
        "",
        _("You get this e-mail on Mondays when something waits for you. Stop it here:"),
        site + reverse("programme:my_emails"),
    ]
    return subject, "\n".join(lines)


class Command(BaseCommand):
    help = "E-mail each person their action list for the week (only when it is not empty)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        monday = today - datetime.timedelta(days=today.weekday())
        sent = failed = 0
        people = (
            StaffMember.objects.filter(active=True, weekly_digest=True, user__is_active=True)
            .exclude(email="")
            .select_related("user")
            .order_by("pk")
        )
        for member in people:
            key = str(member.pk)
            if ReminderSent.objects.filter(kind="digest", key=key, day=monday).exists():
                continue
            with translation.override(member.language or settings.LANGUAGE_CODE):
                assert member.user is not None
                todo = gather(get_actor(member.user), today).todo
                if not todo.items:
                    continue
                subject, body = digest(member, todo.items, today)
            if send_once("digest", key, monday, member.email, subject, body):
                sent += 1
            elif not ReminderSent.objects.filter(kind="digest", key=key, day=monday).exists():
                failed += 1  # not sent (another run at the same time may have sent it)
        self.stdout.write(f"Sent {sent} weekly digest(s) for the week of {monday.isoformat()}.")
        if failed:
            raise CommandError(
                f"{failed} weekly digest(s) could not be sent; see the log. Run again to retry."
            )
