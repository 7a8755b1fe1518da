"""A check-in added in the admin is written by the mentoring services, as a changed one is
(tests/mentoring/test_last_held.py): the audit row and the mentorship's last held date."""

import pytest
from django.utils import timezone

from mentoring.models import CheckIn
from peerprogram.models import AuditEvent

from .helpers import fresh_mentorship
from .test_last_held import assert_kept

pytestmark = pytest.mark.django_db


def test_a_check_in_added_in_the_admin_goes_through_the_services(client_for, cast):
    mentorship = fresh_mentorship(cast, 60)
    day = timezone.localdate()
    client = client_for("admin")
    response = client.post(
        "/admin/mentoring/checkin/add/",
        {
            "mentorship": mentorship.pk,
            "date": day.isoformat(),
            "time": "09:30",
            "moved_from": "",
            "status": "held",
            "duration_minutes": "45",
            "topics": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = CheckIn.objects.get(mentorship=mentorship, date=day, duration_minutes=45)
    mentorship.refresh_from_db()
    assert mentorship.last_held_on == day
    assert_kept()
    audit = AuditEvent.objects.get(action="checkin_change", object_id=added.pk)
    assert audit.actor == cast.admin_user
