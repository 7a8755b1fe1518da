"""Who reaches patients, notes, referrals, group notes and the statistics.

- A patient and the content of their notes: only the peer workers on the patient's
  caseload. Everyone else (leaders, mentors, Centre staff, administrators) gets a 404:
  the statistics are how they follow the work.
- A referral: the colleague who made it and the peer worker it is for.
- A group note: the peer worker who wrote it.
- The statistics: anyone who reaches peer workers (`peerprogram.access.peers_for`), for
  those peer workers only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerprogram import access as core_access
from peerprogram.access import RequestUser, get_actor
from peerprogram.models import PeerWorker

from .models import GroupNote, Note, Patient, Referral


def patients_for(user: RequestUser) -> QuerySet[Patient]:
    actor = get_actor(user)
    if actor.peer is None:
        return Patient.objects.none()
    return Patient.objects.filter(peers=actor.peer).select_related("unit")


def get_patient_for(user: RequestUser, pk: int) -> Patient:
    return get_object_or_404(patients_for(user), pk=pk)


def notes_for(user: RequestUser) -> QuerySet[Note]:
    actor = get_actor(user)
    if actor.peer is None:
        return Note.objects.none()
    return Note.objects.filter(patient__peers=actor.peer).select_related(
        "patient", "current", "peer__staff_member"
    )


def get_note_for(user: RequestUser, pk: int) -> Note:
    """A note whose content the user may read (and write, while it is a draft)."""
    return get_object_or_404(notes_for(user), pk=pk)


def referrals_for(user: RequestUser) -> QuerySet[Referral]:
    actor = get_actor(user)
    reach = Q(pk__in=[])
    if actor.staff:
        reach |= Q(referred_by=actor.staff)
    if actor.peer:
        reach |= Q(peer=actor.peer)
    return Referral.objects.filter(reach).select_related(
        "peer__staff_member", "referred_by", "unit", "patient"
    )


def get_referral_for(user: RequestUser, pk: int) -> Referral:
    return get_object_or_404(referrals_for(user), pk=pk)


def get_referral_for_answer(user: RequestUser, pk: int) -> Referral:
    """Only the peer worker the referral is for accepts or declines it."""
    actor = get_actor(user)
    if actor.peer is None:
        raise Http404
    return get_object_or_404(referrals_for(user).filter(peer=actor.peer), pk=pk)


def caseload_peers_for(patient: Patient) -> QuerySet[PeerWorker]:
    """Who can be put on a patient's caseload: the active peer workers of the patient's unit."""
    return PeerWorker.objects.filter(
        staff_member__unit_id=patient.unit_id, staff_member__active=True
    ).select_related("staff_member")


def referral_peers_for(user: RequestUser) -> QuerySet[PeerWorker]:
    """The peer workers a member of staff may refer to: the active peers of their own unit."""
    actor = get_actor(user)
    if actor.staff is None:
        return PeerWorker.objects.none()
    return (
        PeerWorker.objects.filter(staff_member__unit_id=actor.staff.unit_id)
        .filter(staff_member__active=True)
        .exclude(staff_member=actor.staff)
        .select_related("staff_member")
    )


def group_notes_for(user: RequestUser) -> QuerySet[GroupNote]:
    actor = get_actor(user)
    if actor.peer is None:
        return GroupNote.objects.none()
    return GroupNote.objects.filter(peer=actor.peer)


def get_group_note_for(user: RequestUser, pk: int) -> GroupNote:
    return get_object_or_404(group_notes_for(user), pk=pk)


def statistics_peers_for(user: RequestUser) -> QuerySet[PeerWorker]:
    """The peer workers whose figures the user sees: never more than whom they reach."""
    return core_access.peers_for(user)


def may_see_statistics(user: RequestUser) -> bool:
    actor = get_actor(user)
    return actor.manages_units or actor.is_peer or actor.is_mentor
