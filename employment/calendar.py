"""The follow-up talks in the calendars and feeds of the two people who hold them.

A talk is the leader's and the peer worker's alone: it appears in the calendar of either
only when one of them looks (their own calendar or feed, or the leader looking at the peer
worker's), never to the Centre and never in double-booking warnings to others. A talk with
a time is a meeting (an hour; a MUS an hour and a half); the next talk without one is shown
as due that day."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from education.selectors import Entry
from peerprogram.models import PeerWorker, StaffMember

from . import selectors
from .models import Talk
from .selectors import Due

MINUTES: dict[str, int] = {Talk.Kind.FOLLOW_UP: 60, Talk.Kind.MUS: 90, Talk.Kind.EXIT: 60}


def _titles(kind: str, name: str) -> tuple[str, str]:
    """(title, short title) of a talk of this kind with this peer worker."""
    first = name.split(" ", 1)[0]
    if kind == Talk.Kind.MUS:
        return _("MUS: %(name)s") % {"name": name}, _("MUS: %(name)s") % {"name": first}
    if kind == Talk.Kind.EXIT:
        return _("Exit talk: %(name)s") % {"name": name}, _("Exit talk: %(name)s") % {"name": first}
    return _("Follow-up talk: %(name)s") % {"name": name}, _("Follow-up: %(name)s") % {
        "name": first
    }


def _span(
    day: datetime.date, time: datetime.time | None, kind: str
) -> tuple[datetime.datetime, datetime.datetime, bool]:
    if time is None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return start, start + datetime.timedelta(days=1), True
    start = timezone.make_aware(datetime.datetime.combine(day, time))
    return start, start + datetime.timedelta(minutes=MINUTES.get(kind, 60)), False


def _entry(
    uid: str,
    peer: PeerWorker,
    kind: str,
    day: datetime.date,
    time: datetime.time | None,
    url: str,
    *,
    due: Due | None = None,
) -> Entry:
    title, short = _titles(kind, peer.name)
    start, end, all_day = _span(day, time, kind)
    if due is not None and due.overdue:
        title = _("%(talk)s (overdue since %(day)s)") % {
            "talk": title,
            "day": date_format(due.date, "DATE_FORMAT"),
        }
    elif due is not None and all_day:
        title = _("%(talk)s (due)") % {"talk": title}
    return Entry(
        uid=uid,
        kind="talk",
        title=title,
        short=short,
        start=start,
        end=end,
        url=url,
        all_day=all_day,
    )


def talk_entries(
    peers: QuerySet[PeerWorker], start: datetime.datetime, end: datetime.datetime
) -> list[Entry]:
    """The talks of these peer workers between start and end: those held or cancelled,
    and the next follow-up talk and MUS. Two queries whatever the number of peer workers:
    the peer workers with their rhythm, and their talks."""
    listed = list(
        peers.select_related("staff_member")
        .annotate(
            rhythm_days=F("follow_up_rhythm__probation_days"),
            rhythm_months=F("follow_up_rhythm__after_months"),
        )
        .order_by("pk")
    )
    if not listed:
        return []
    today = timezone.localdate()
    talks: dict[int, list[Talk]] = defaultdict(list)
    for talk in Talk.objects.filter(peer__in=[p.pk for p in listed]).only(
        "peer_id", "kind", "date", "time", "status"
    ):
        talks[talk.peer_id].append(talk)
    first, last = timezone.localdate(start), timezone.localdate(end)
    entries = []
    for peer in listed:
        page = reverse("employment:follow_up", args=[peer.pk])
        for talk in talks[peer.pk]:
            if talk.status != Talk.Status.PLANNED and first <= talk.date <= last:
                entry = _entry(
                    f"talk-{talk.pk}@peerprogram",
                    peer,
                    talk.kind,
                    talk.date,
                    talk.time,
                    reverse("employment:talk_detail", args=[talk.pk]),
                )
                entry.cancelled = talk.status == Talk.Status.CANCELLED
                entries.append(entry)
        rhythm = (
            (peer.rhythm_days, peer.rhythm_months)
            if peer.rhythm_days is not None
            else selectors.default_rhythm()
        )
        for due in selectors.dues(peer, talks[peer.pk], rhythm, today):
            if due is None:
                continue
            # An overdue talk stays on today until it is held, moved or cancelled.
            day, time = (today, None) if due.overdue else (due.date, due.time)
            if first <= day <= last:
                entries.append(
                    _entry(
                        f"talk-next-{peer.pk}-{due.kind}@peerprogram",
                        peer,
                        due.kind,
                        day,
                        time,
                        page,
                        due=due,
                    )
                )
    return entries


class TalkSource:
    """education.selectors.CalendarSource for the follow-up talks."""

    kind = "talk"
    label = gettext_lazy("Follow-up talks and MUS")

    def entries(
        self,
        person: StaffMember,
        viewer: StaffMember,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> list[Entry]:
        if viewer.pk == person.pk:
            # Their own calendar: the talks they hold as leader, or as a peer worker.
            whose = Q(staff_member=person) | Q(
                staff_member__unit__leader=person, staff_member__unit__active=True
            )
        else:
            # The leader looking at one of their peer workers' calendar.
            whose = Q(
                staff_member=person,
                staff_member__unit__leader=viewer,
                staff_member__unit__active=True,
            )
        # Employments that ended more than a month before the window hold no talks in it
        # (an exit talk may come a little after the last day).
        first = timezone.localdate(start) - datetime.timedelta(days=31)
        peers = (
            PeerWorker.objects.filter(whose)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
            .filter(start_date__lte=timezone.localdate(end))
        )
        return talk_entries(peers, start, end)
