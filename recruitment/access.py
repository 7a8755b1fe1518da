"""Who reaches vacancies, applicants and onboarding checklists.

Applicants are the most private part: only the unit's leader, the vacancy's hiring
committee and administrators see them (Centre staff only when they sit on the committee).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerprogram.access import RequestUser, get_actor

from . import selectors
from .models import Applicant, ChecklistItem, CommitteeMember, Interview, Onboarding, Vacancy


def vacancies_for(user: RequestUser) -> QuerySet[Vacancy]:
    actor = get_actor(user)
    vacancies = Vacancy.objects.select_related("unit", "contact_person")
    if actor.sees_programme:
        return vacancies
    reach = Q(unit_id__in=actor.led_unit_ids)
    if actor.staff:
        # A subquery, not a join: no vacancy twice, so no DISTINCT over the lists' rows.
        seats = CommitteeMember.objects.filter(staff_member=actor.staff).values("vacancy_id")
        reach |= Q(pk__in=seats)
    return vacancies.filter(reach)


def may_manage_vacancy(user: RequestUser, vacancy: Vacancy) -> bool:
    """Edit, change status, manage the committee: the unit's leader, Centre staff, admins."""
    actor = get_actor(user)
    return actor.sees_programme or vacancy.unit_id in actor.led_unit_ids


def get_vacancy_for(user: RequestUser, pk: int) -> Vacancy:
    return get_object_or_404(vacancies_for(user), pk=pk)


def get_vacancy_for_edit(user: RequestUser, pk: int) -> Vacancy:
    vacancy = get_vacancy_for(user, pk)
    if not may_manage_vacancy(user, vacancy):
        raise Http404
    return vacancy


def may_see_applicants(user: RequestUser, vacancy: Vacancy) -> bool:
    actor = get_actor(user)
    if actor.is_admin or vacancy.unit_id in actor.led_unit_ids:
        return True
    return bool(
        actor.staff
        and CommitteeMember.objects.filter(vacancy=vacancy, staff_member=actor.staff).exists()
    )


def get_vacancy_with_applicants_for(user: RequestUser, pk: int) -> Vacancy:
    vacancy = get_vacancy_for(user, pk)
    if not may_see_applicants(user, vacancy):
        raise Http404
    return vacancy


def may_hire(user: RequestUser, vacancy: Vacancy) -> bool:
    actor = get_actor(user)
    return actor.is_admin or vacancy.unit_id in actor.led_unit_ids


def get_vacancy_for_hiring(user: RequestUser, pk: int) -> Vacancy:
    """The committee, applicants and decisions are the leader's (or an administrator's)."""
    vacancy = get_vacancy_for(user, pk)
    if not may_hire(user, vacancy):
        raise Http404
    return vacancy


def applicants_for(user: RequestUser) -> QuerySet[Applicant]:
    actor = get_actor(user)
    applicants = Applicant.objects.select_related("vacancy__unit")
    if actor.is_admin:
        return applicants
    reach = Q(vacancy__unit_id__in=actor.led_unit_ids)
    if actor.staff:
        reach |= Q(vacancy__committee__staff_member=actor.staff)
    return applicants.filter(reach).distinct()


def get_applicant_for(user: RequestUser, pk: int) -> Applicant:
    return get_object_or_404(applicants_for(user), pk=pk)


def get_applicant_for_decision(user: RequestUser, pk: int) -> Applicant:
    """Moving, deciding and hiring are the leader's (or an administrator's)."""
    applicant = get_applicant_for(user, pk)
    actor = get_actor(user)
    if not (actor.is_admin or applicant.vacancy.unit_id in actor.led_unit_ids):
        raise Http404
    return applicant


def own_committee_seat(user: RequestUser, vacancy: Vacancy) -> CommitteeMember | None:
    actor = get_actor(user)
    if not actor.staff:
        return None
    return CommitteeMember.objects.filter(vacancy=vacancy, staff_member=actor.staff).first()


def get_interview_for(user: RequestUser, pk: int) -> Interview:
    interview = get_object_or_404(Interview.objects.select_related("applicant__vacancy"), pk=pk)
    get_applicant_for(user, interview.applicant_id)
    return interview


def onboardings_for(user: RequestUser) -> QuerySet[Onboarding]:
    actor = get_actor(user)
    onboardings = selectors.with_relations(Onboarding.objects.all())
    if actor.sees_programme:
        return onboardings
    return onboardings.filter(unit_id__in=actor.led_unit_ids)


def get_onboarding_for(user: RequestUser, pk: int) -> Onboarding:
    return get_object_or_404(selectors.with_committee_seats(onboardings_for(user)), pk=pk)


def get_checklist_item_for(user: RequestUser, pk: int) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem, pk=pk)
    # The onboarding as the checklist shows it (its relations read along), once checked.
    item.onboarding = get_onboarding_for(user, item.onboarding_id)
    return item


def get_checklist_item_for_ticking(user: RequestUser, pk: int) -> tuple[ChecklistItem, bool]:
    """A task the user may tick: one of a checklist they reach, or one handed to them
    whatever their roles (then True: they tick it from their page of delegated tasks)."""
    item = get_object_or_404(ChecklistItem, pk=pk)
    try:
        item.onboarding = get_onboarding_for(user, item.onboarding_id)
        return item, False
    except Http404:
        pass
    staff = get_actor(user).staff
    if staff is None or item.assignee_id != staff.pk:
        raise Http404
    return item, True


def may_edit_templates(user: RequestUser) -> bool:
    """The standard checklist and posting template are the Centre's."""
    return get_actor(user).sees_programme
