"""Modules, mandatory courses and erfa groups refuse a save made on a stale read, and
their audit rows name the fields that changed. (Every edit page's stale save:
tests/peerprogram/test_stale_saves.py.)"""

import pytest
from django.urls import reverse

from education import services
from education.models import ErfaGroup, MandatoryCourse, Module
from peerprogram.models import AuditEvent
from peerprogram.services import ConcurrentEditError

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(cast):
    services.standard_data_ensure()
    return cast


def _summary(obj) -> str:
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
        .latest("pk")
        .summary
    )


def test_a_module_saved_meanwhile_is_not_overwritten(standard):
    module = Module.objects.get(number=1)
    stale = module.version
    services.module_update(
        module=module, by=standard.centre.user, expected_version=stale, title="Recovery"
    )
    assert _summary(module) == "title"
    with pytest.raises(ConcurrentEditError):
        services.module_update(
            module=Module.objects.get(pk=module.pk),
            by=standard.centre.user,
            expected_version=stale,
            title="Noget andet",
            description="Ny tekst",
        )
    module.refresh_from_db()
    assert (module.title, module.version) == ("Recovery", stale + 1)


def test_a_mandatory_course_saved_meanwhile_is_not_overwritten(standard):
    course = MandatoryCourse.objects.get(name="Brandskole")
    stale = MandatoryCourse.objects.get(pk=course.pk)
    services.mandatory_course_save(
        course=course, by=standard.centre.user, expected_version=course.version, order=5
    )
    assert _summary(course) == "order"
    # Without an explicit version, the one the caller read the course with counts.
    with pytest.raises(ConcurrentEditError):
        services.mandatory_course_save(course=stale, by=standard.centre.user, active=False)
    course.refresh_from_db()
    assert (course.order, course.active) == (5, True)


def test_an_erfa_group_saved_meanwhile_keeps_its_fields_and_members(standard):
    group = ErfaGroup.objects.get(audience="peers")
    stale = group.version
    services.group_save(
        group=group,
        by=standard.centre.user,
        expected_version=stale,
        members=[standard.mentor],
        place="Mødelokale 2",
    )
    assert _summary(group) == "members, place"
    with pytest.raises(ConcurrentEditError):
        services.group_save(
            group=ErfaGroup.objects.get(pk=group.pk),
            by=standard.centre.user,
            expected_version=stale,
            members=[standard.leader],
            place="Kantinen",
        )
    group.refresh_from_db()
    assert group.place == "Mødelokale 2"
    assert list(group.members.all()) == [standard.mentor]


def test_a_new_erfa_group_and_mandatory_course_need_no_version(client_for, standard):
    client = client_for("centre", "en")
    response = client.post(
        reverse("education:group_create"),
        {"name": "Netværk for ledere", "audience": "peers", "duration_minutes": "60"},
    )
    group = ErfaGroup.objects.get(name="Netværk for ledere")
    assert response["Location"] == group.get_absolute_url()
    assert (group.version, _summary(group)) == (1, "Netværk for ledere")
    response = client.post(
        reverse("education:mandatory_course_create"),
        {"name": "Førstehjælp", "description": "", "order": "40", "active": "on"},
    )
    assert response["Location"] == reverse("education:course_detail")
    assert MandatoryCourse.objects.get(name="Førstehjælp").version == 1
