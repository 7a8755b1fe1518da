"""The mentor suggestions: the hiring committee's coming mentor first, then the Centre's
mentor introduction and experience as a mentor, before how many mentees someone has now;
the name only breaks a tie. Each suggestion says why."""

from django.utils import timezone

from mentoring import selectors
from mentoring.models import MentorIntroduction
from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory


def test_the_coming_mentor_comes_first_then_introduction_and_experience(cast, vacancy):
    unit = cast.unit
    today = timezone.localdate()
    newcomer = PeerWorkerFactory(staff_member__name="Nora Ny", staff_member__unit=unit)
    StaffMemberFactory(name="Aase Aagaard", unit=unit, profession="doctor")
    seasoned = StaffMemberFactory(name="Bent Bro", unit=unit, profession="nurse")
    MentorIntroduction.objects.create(staff_member=seasoned, attended_on=today)
    MentorshipFactory(peer=cast.other_peer, mentor=seasoned, end_date=today)
    coming = cast.mentor  # the staff representative on the vacancy's committee

    # Not yet hired through the vacancy (no coming mentor): the introduced, experienced
    # nurse before the doctor who never mentored.
    names = [c.member.name for c in selectors.candidates(newcomer)]
    assert names.index("Bent Bro") < names.index("Aase Aagaard")

    vacancy.onboarding.peer = newcomer
    vacancy.onboarding.save()

    found = selectors.candidates(newcomer)
    assert found[0].member == coming
    assert found[0].reasons[0] == "sad i ansættelsesudvalget som den kommende mentor"
    best_others = [c.member.name for c in found[1:]]
    assert best_others.index("Bent Bro") < best_others.index("Aase Aagaard")
    nurse = next(c for c in found if c.member == seasoned)
    assert "har været mentor før" in nurse.reasons
    assert "har deltaget i Centrets mentorintroduktion" in nurse.reasons
