"""E-mail each leader once when a peer worker's temporary post is two months from its end:
time to decide on renewal (the recruitment recommendations advise permanent posts for
lasting tasks).

Meant for a daily job; each post's reminder goes out once for its end date (a post that is
extended and comes near its new end date gets a new one). Exits non-zero when an e-mail
could not be sent, so the scheduler shows it; the next run tries again.
"""

from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from employment.selectors import RENEWAL_MONTHS
from mentoring.models import ReminderSent
from mentoring.services import send_once
from peerprogram.models import PeerWorker


class Command(BaseCommand):
    help = "E-mail leaders about temporary posts that end within two months."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        sent = failed = 0
        ending = (
            PeerWorker.objects.filter(
                end_date__gte=today, end_date__lte=today + relativedelta(months=RENEWAL_MONTHS)
            )
            # A post that ends for another reason (a new job, retirement, ...) is not renewed.
            .filter(Q(end_reason="") | Q(end_reason=PeerWorker.EndReason.TEMPORARY))
            .select_related("staff_member__unit__leader")
            .order_by("end_date", "pk")
        )
        for peer in ending:
            leader = peer.staff_member.unit.leader
            end = peer.end_date
            if end is None or not (leader and leader.active and leader.email):
                continue
            with translation.override(leader.language or settings.LANGUAGE_CODE):
                key = str(peer.pk)
                # Once per end date: the end date is the reminder's day.
                if ReminderSent.objects.filter(kind="renewal", key=key, day=end).exists():
                    continue
                subject = _("A temporary post ends %(day)s: %(peer)s") % {
                    "day": date_format(end, "DATE_FORMAT"),
                    "peer": peer.name,
                }
                link = settings.SITE_URL.rstrip("/") + reverse(
                    "peerprogram:peer_detail", args=[peer.pk]
                )
                body = _(
                    "The employment of %(peer)s in %(unit)s ends %(day)s. Decide now whether "
                    "the post is to be renewed, and tell the peer worker: a permanent post is "
                    "recommended for tasks that last. If the employment ends, hold the exit "
                    "talk and record why it ended.\n\n%(link)s"
                ) % {
                    "peer": peer.name,
                    "unit": peer.staff_member.unit.name,
                    "day": date_format(end, "DATE_FORMAT"),
                    "link": link,
                }
                if send_once("renewal", key, end, leader.email, subject, body):
                    sent += 1
                elif not ReminderSent.objects.filter(kind="renewal", key=key, day=end).exists():
                    failed += 1
        self.stdout.write(f"Sent {sent} renewal reminder(s) for {today.isoformat()}.")
        if failed:
            raise CommandError(f"{failed} renewal reminder(s) could not be sent; see the log.")
