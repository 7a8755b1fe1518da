"""Helpers shared by the employment tests."""

from dateutil.relativedelta import relativedelta
from django.utils import timezone


def started(cast, **delta):
    """The cast's peer worker, started `delta` (relativedelta's keywords) before today."""
    cast.peer.start_date = timezone.localdate() - relativedelta(**delta)
    cast.peer.save()
    return cast.peer
