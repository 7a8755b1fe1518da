"""A check-in changed by an administrator counts as a save: a log form opened before it is
refused, as for every other record with a version, instead of overwriting the change."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import CheckIn
from peerprogram.services import ConcurrentEditError

from .helpers import fresh_mentorship

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_log_form_opened_before_the_admin_changed_the_check_in_is_refused(client_for, cast):
    mentorship = fresh_mentorship(cast)
    checkin = mentorship.checkins.filter(date__lt=TODAY()).order_by("date").first()
    opened_with = checkin.version

    response = client_for("admin").post(
        f"/admin/mentoring/checkin/{checkin.pk}/change/",
        {
            "mentorship": mentorship.pk,
            "date": checkin.date.isoformat(),
            "time": "10:00",
            "moved_from": "",
            "status": "cancelled",
            "duration_minutes": "30",
            "topics": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    checkin.refresh_from_db()
    assert checkin.version == opened_with + 1

    response = client_for("mentor", "en").post(
        reverse("mentoring:checkin_log", args=[checkin.pk]),
        {"outcome": "held", "note": "Godt møde", "version": opened_with},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(ConcurrentEditError.message)]
    checkin.refresh_from_db()
    assert (checkin.status, checkin.note) == (CheckIn.Status.CANCELLED, "")
