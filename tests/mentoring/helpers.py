"""Shared by the mentoring tests."""

import datetime

from django.utils import timezone

from mentoring import services
from mentoring.models import Mentorship


def fresh_mentorship(cast, started_days_ago=21) -> Mentorship:
    """The cast's peer worker with the cast's mentor from `started_days_ago`, appointed
    through the service (so its check-ins are planned), on a weekday already passed."""
    cast.peer.mentorships.all().delete()
    weekday = (timezone.localdate() - datetime.timedelta(days=7)).weekday()
    return services.mentor_assign(
        peer=cast.peer,
        mentor=cast.mentor,
        by=cast.leader.user,
        start_date=timezone.localdate() - datetime.timedelta(days=started_days_ago),
        weekday=min(weekday, 4),
    )
