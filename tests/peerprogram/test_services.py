import datetime

import pytest
from django.core.exceptions import ValidationError

from peerprogram import services
from peerprogram.models import AuditEvent, PeerWorker, StaffMember, Unit

pytestmark = pytest.mark.django_db


def test_peer_create_registers_staff_member_and_employment_and_audits(cast):
    peer = services.peer_create(
        by=cast.leader.user,
        name="Nina Ny",
        email=" Nina.Ny@Example.org ",
        unit=cast.unit,
        start_date=datetime.date(2026, 1, 1),
        hours_per_week=22,
        employment_form=PeerWorker.EmploymentForm.PERMANENT,
    )
    assert peer.staff_member.email == "nina.ny@example.org"
    assert peer.staff_member.profession == StaffMember.Profession.PEER
    assert peer.unit == cast.unit
    actions = list(
        AuditEvent.objects.filter(actor=cast.leader.user).values_list("action", flat=True)
    )
    assert sorted(actions) == ["peer_employ", "staff_create"]


def test_peer_create_refuses_hours_over_37_and_saves_nothing(cast):
    with pytest.raises(ValidationError) as error:
        services.peer_create(
            by=cast.leader.user,
            name="Nina Ny",
            email="nina@example.org",
            unit=cast.unit,
            start_date=datetime.date(2026, 1, 1),
            hours_per_week=38,
            employment_form=PeerWorker.EmploymentForm.PERMANENT,
        )
    assert "Antal timer om ugen skal være mellem 1 og 37." in error.value.messages
    assert not StaffMember.objects.filter(email="nina@example.org").exists()


def test_unit_update_refuses_a_stale_version_and_keeps_the_other_save(cast):
    unit = Unit.objects.get(pk=cast.unit.pk)
    stale = Unit.objects.get(pk=cast.unit.pk)
    before = unit.version
    services.unit_update(
        unit=unit, by=cast.centre.user, expected_version=unit.version, name="Første navn"
    )
    with pytest.raises(services.ConcurrentEditError):
        services.unit_update(
            unit=stale, by=cast.leader.user, expected_version=stale.version, name="Andet navn"
        )
    cast.unit.refresh_from_db()
    assert cast.unit.name == "Første navn"
    assert cast.unit.version == before + 1


def test_staff_update_writes_an_audit_row_naming_the_changed_fields(cast):
    member = cast.mentor
    services.staff_update(
        member=member, by=cast.leader.user, expected_version=member.version, phone="12345678"
    )
    event = AuditEvent.objects.get(action="staff_update")
    assert (event.actor, event.object_id, event.summary) == (cast.leader.user, member.pk, "phone")


def test_peer_update_validates_before_saving(cast):
    peer = cast.peer
    with pytest.raises(ValidationError):
        services.peer_update(
            peer=peer,
            by=cast.leader.user,
            expected_version=peer.version,
            end_date=peer.start_date - datetime.timedelta(days=1),
        )
    peer.refresh_from_db()
    assert peer.end_date is None
    assert peer.version == 1
