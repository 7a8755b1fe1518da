"""Who reaches the implementation survey, the outcome measures and research.

Questionnaires and rounds (writing, running, the answer rates): Centre staff and
administrators. A round's results: the Centre for the programme and every unit; a unit's
leader for their own unit's results. An invitation's personal link: whoever holds it (the
token is the key, as with the calendar feed); a logged-in user reaches only their own.

Outcome answers are patient data: only the peer workers on the patient's caseload read
and fill them in. Leaders (their units) and the Centre (the programme) see aggregates of
at least five patients. Instruments and research projects: the Centre."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from journal import access as journal_access
from journal.models import Patient
from peerprogram.access import RequestUser, get_actor, require
from peerprogram.models import PeerWorker, Unit

from .models import (
    Instrument,
    Invitation,
    Measurement,
    Questionnaire,
    ResearchProject,
    SurveyRound,
)


def require_centre(user: RequestUser) -> None:
    """Writing questionnaires and running rounds: a page the Centre has use for (403)."""
    require(get_actor(user).sees_programme)


def get_questionnaire_for(user: RequestUser, pk: int) -> Questionnaire:
    require_centre(user)
    return get_object_or_404(Questionnaire, pk=pk)


def get_round_for(user: RequestUser, pk: int) -> SurveyRound:
    require_centre(user)
    return get_object_or_404(SurveyRound.objects.select_related("questionnaire"), pk=pk)


def get_round_for_results(
    user: RequestUser, pk: int, unit_pk: int | None
) -> tuple[SurveyRound, Unit | None]:
    """The round and, when one is asked for, the unit whose results are shown. Without a
    unit: the programme's results, the Centre's. A unit: one of the round's units that the
    user leads (or any, for the Centre); anything else is out of reach (404)."""
    actor = get_actor(user)
    if unit_pk is None:
        require(actor.sees_programme)
    else:
        require(actor.sees_programme or actor.is_leader)
    survey = get_object_or_404(SurveyRound.objects.select_related("questionnaire"), pk=pk)
    if unit_pk is None:
        return survey, None
    if not (actor.sees_programme or unit_pk in actor.led_unit_ids):
        raise Http404
    unit = get_object_or_404(survey.units.all(), pk=unit_pk)
    return survey, unit


def get_invitation(token: str) -> Invitation:
    """The invitation of a personal link: the token is the key (404 for an unknown one)."""
    return get_object_or_404(
        Invitation.objects.select_related("round__questionnaire", "unit"), token=token
    )


def is_someone_elses(user: RequestUser, invitation: Invitation) -> bool:
    """A logged-in user answers only for themselves: a link sent to another person is not
    theirs to answer (a shared computer, a forwarded mail)."""
    if not user.is_authenticated:
        return False
    staff = get_actor(user).staff
    return staff is None or staff.pk != invitation.person_id


# Recovery outcomes and research ------------------------------------------------------


def get_patient_for_outcomes(user: RequestUser, pk: int) -> Patient:
    """A patient whose outcome answers the user may read and fill in: only the peer
    workers on the patient's caseload, as with note content (404 for everyone else)."""
    return journal_access.get_patient_for(user, pk)


def get_measurement_for(user: RequestUser, pk: int) -> Measurement:
    return get_object_or_404(
        Measurement.objects.filter(patient__in=journal_access.patients_for(user)).select_related(
            "patient", "instrument"
        ),
        pk=pk,
    )


def get_instrument_for(user: RequestUser, pk: int) -> Instrument:
    require_centre(user)
    return get_object_or_404(Instrument, pk=pk)


def get_project_for(user: RequestUser, pk: int) -> ResearchProject:
    require_centre(user)
    return get_object_or_404(ResearchProject, pk=pk)


def outcome_unit_ids(user: RequestUser) -> frozenset[int] | None:
    """Whose aggregates the user reads: the units a leader leads, or (None) the whole
    programme for the Centre. Others have no use for the page (403)."""
    actor = get_actor(user)
    require(actor.manages_units)
    return None if actor.sees_programme else actor.led_unit_ids


def get_peer_for_research(user: RequestUser, peer_pk: int) -> PeerWorker:
    """A peer worker's answer about research: the peer worker themself and the Centre."""
    actor = get_actor(user)
    if not (actor.sees_programme or (actor.peer is not None and actor.peer.pk == peer_pk)):
        raise Http404
    return get_object_or_404(PeerWorker.objects.select_related("staff_member"), pk=peer_pk)
