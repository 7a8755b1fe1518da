"""One of everything the URLs point at, for the tests that walk the permission matrix."""

import datetime

from django.utils import timezone


class Objects:
    """The cast plus one of everything the URLs point at."""

    def __init__(self, cast):
        from recruitment import services
        from recruitment.models import ChecklistTemplateItem

        self._cast = cast
        today = timezone.localdate()
        self.vacancy = services.vacancy_create(
            by=cast.leader.user,
            unit=cast.unit,
            title="Peermedarbejder",
            hours_per_week=25,
            employment_form="permanent",
            planned_start_date=today + datetime.timedelta(days=60),
            application_deadline=today + datetime.timedelta(days=10),
            contact_person=cast.leader,
        )
        self.seat = services.committee_add(
            vacancy=self.vacancy, by=cast.leader.user, staff_member=cast.centre, seat="centre"
        )
        self.applicant = services.applicant_add(
            vacancy=self.vacancy, by=cast.leader.user, name="Ane", email="ane@example.org"
        )
        self.interview = services.interview_schedule(
            applicant=self.applicant, by=cast.leader.user, starts_at=timezone.now(), place="Rum 1"
        )
        self.onboarding = self.vacancy.onboarding
        from mentoring.models import AwayPeriod

        self.mentorship = cast.peer.mentorships.get()
        self.checkin = self.mentorship.checkins.create(
            date=today, time=datetime.time(10), duration_minutes=30
        )
        self.task = self.mentorship.tasks.create(task="chime")
        self.away = AwayPeriod.objects.create(mentor=cast.mentor, first_day=today, last_day=today)
        self.item = self.onboarding.items.filter(derived_from="").first()
        self.template_item = ChecklistTemplateItem.objects.first()
        self._education(cast, today)
        self._journal(cast, today)
        self._employment(cast)
        self._evaluation(cast, today)

    def _evaluation(self, cast, today):
        from evaluation.models import Invitation, Questionnaire, SurveyRound

        questionnaire = Questionnaire.objects.order_by("pk").first()
        # One no round has used yet, to edit.
        self.questionnaire = Questionnaire.objects.create(title="Ubrugt spørgeskema")
        self.questionnaire.questions.create(text="Udsagn", kind="scale", theme="clarity")
        self.closed_round = SurveyRound.objects.create(
            questionnaire=questionnaire,
            title="Forår",
            opens_on=today - datetime.timedelta(days=60),
            closes_on=today - datetime.timedelta(days=30),
        )
        self.closed_round.units.set([cast.unit, cast.other_unit])
        self.open_round = SurveyRound.objects.create(
            questionnaire=questionnaire,
            title="Efterår",
            opens_on=today - datetime.timedelta(days=2),
            closes_on=today + datetime.timedelta(days=12),
        )
        self.open_round.units.set([cast.unit])
        from evaluation.models import (
            Instrument,
            Measurement,
            PatientConsent,
            ResearchProject,
        )

        self.instrument = Instrument.objects.create(
            name="Eksempel",
            licence="Egen",
            min_label="Slet ikke",
            max_label="Helt",
            timepoints=["first", "m3"],
        )
        self.instrument.items.create(text="Jeg har håb", order=1)
        # Measured with another, so that this one (not used yet) can be edited.
        measured = Instrument.objects.create(
            name="Brugt",
            licence="Egen",
            min_label="Slet ikke",
            max_label="Helt",
            timepoints=["first", "m3"],
        )
        measured.items.create(text="Jeg har håb", order=1)
        PatientConsent.objects.create(patient=self.patient, measure_on=today, measure_how="orally")
        self.measurement = Measurement.objects.create(
            patient=self.patient, instrument=measured, timepoint="first", peer=cast.peer
        )
        self.project = ResearchProject.objects.create(
            title="Projekt",
            approval="X-1",
            starts_on=today,
            ends_on=today,
            researcher="Forsker",
        )
        self.invitation = Invitation.objects.create(
            round=self.open_round,
            person=cast.peer.staff_member,
            unit=cast.unit,
            group="peers",
            sent_on=today,
        )

    def _education(self, cast, today):
        from education import services as education
        from education.models import ErfaGroup, MandatoryCourse, Module

        education.standard_data_ensure()
        centre = cast.centre.user
        self.module = Module.objects.first()
        self.course = MandatoryCourse.objects.first()
        self.cohort = education.cohort_create(
            by=centre,
            name="Hold 2099",
            start_date=today - datetime.timedelta(days=7),
            capacity=10,
            fee_dkk=14_000,
            status="open",
        )
        self.session = self.cohort.sessions.first()
        self.enrolment = education.enrol(cohort=self.cohort, by=centre, peer=cast.peer)
        self.group = ErfaGroup.objects.get(audience="peers")
        # Yesterday at 10: an hour that never runs past midnight, whenever the suite runs.
        start = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time(10))
        )
        self.meeting = self.group.meetings.create(
            kind="internal", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
        # A series two years ahead (its own days: it meets nobody else's tests).
        far = datetime.date(today.year + 2, 3, 1)
        self.series, _meetings = education.series_create(
            group=self.group,
            by=centre,
            frequency="monthly",
            interval=1,
            weekday=3,
            week_of_month=1,
            start_time=datetime.time(13),
            end_time=datetime.time(14),
            first_date=far,
            last_date=far + datetime.timedelta(days=62),
            kind="internal",
        )
        self.proposal = education.topic_propose(
            group=self.group,
            by=cast.peer.staff_member.user,
            person=cast.peer.staff_member,
            title="Peerdrift",
            description="",
        )
        later = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=3), datetime.time(13))
        )
        self.supervision = education.supervision_create(
            by=centre,
            participants=[cast.peer],
            starts_at=later,
            ends_at=later + datetime.timedelta(hours=1),
            supervisor="Anne",
        )
        self.feed = education.feed_for(cast.peer.staff_member)

    def _journal(self, cast, today):
        from journal import services as journal

        by = cast.peer.staff_member.user
        self.patient = journal.patient_create(
            by=by,
            peer=cast.peer,
            name="A.K.",
            reference="AØ-1042",
            consent_date=today,
            consent_given="orally",
        )
        self.note = journal.note_start(
            patient=self.patient,
            peer=cast.peer,
            by=by,
            date=today,
            place="outpatient",
            activity="conversation",
            minutes=45,
        )
        draft = journal.draft_of(self.note)
        draft = journal.draft_save(
            draft=draft, by=by, expected_version=draft.version, changes={"hope": "Haven."}
        )
        journal.note_approve(note=self.note, by=by, expected_version=draft.version)
        journal.note_revise(note=self.note, peer=cast.peer, by=by)
        self.referral = journal.referral_create(
            by=cast.mentor.user,
            referred_by=cast.mentor,
            peer=cast.peer,
            patient_name="B.J.",
            patient_reference="AØ-1107",
            reason="Vil gerne tale med en, der har prøvet det.",
            contact_route="patient",
        )
        self.group_note = journal.group_note_create(
            by=by,
            peer=cast.peer,
            date=today,
            place="ward",
            topic="Søvn og hverdagsrytme",
            participants=6,
            minutes=60,
            hope=True,
        )

    def _employment(self, cast):
        from employment import services as employment

        values = employment.draft_start_values(cast.peer)
        values.update(hours_conversations=10, contact_routes=["patient"])
        self.description = employment.description_create(
            peer=cast.peer, by=cast.leader.user, **values
        )
        self.talk = employment.talk_record(
            peer=cast.peer,
            by=cast.leader.user,
            kind="follow_up",
            date=max(cast.peer.start_date, timezone.localdate() - datetime.timedelta(days=3)),
            how_it_goes="Godt i gang.",
            actions=[("Aftal fast mødetid", "leader", None)],
        )
        self.action = self.talk.actions.get()
        today = timezone.localdate()
        self.outside_task = employment.outside_task_log(
            peer=cast.peer,
            by=cast.leader.user,
            week=today - datetime.timedelta(days=today.weekday()),
            kind="care",
            hours=3,
        )
        self.presentation = employment.presentation_save(
            peer=cast.peer,
            by=cast.peer.staff_member.user,
            text="Jeg hedder Pia og kender selv til at være indlagt.",
            approve=True,
            expected_version=1,
        )

    def __getattr__(self, name):
        return getattr(self._cast, name)
