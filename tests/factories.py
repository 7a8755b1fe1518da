import datetime

import factory
from django.contrib.auth import get_user_model

from mentoring.models import Mentorship
from peerprogram.models import PeerWorker, StaffMember, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"F-ACT Team {n}")
    kind = Unit.Kind.FACT
    organisation = "Region Nord (test)"


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    name = factory.Sequence(lambda n: f"Staff Member {n}")
    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    unit = factory.SubFactory(UnitFactory)
    profession = StaffMember.Profession.NURSE


class PeerWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerWorker

    staff_member = factory.SubFactory(StaffMemberFactory, profession=StaffMember.Profession.PEER)
    start_date = datetime.date(2024, 1, 1)
    hours_per_week = 25
    employment_form = PeerWorker.EmploymentForm.PERMANENT


class MentorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentorship

    peer = factory.SubFactory(PeerWorkerFactory)
    mentor = factory.SubFactory(StaffMemberFactory)
    start_date = datetime.date(2024, 1, 1)
