"""Education pages: cohorts, enrolment, attendance, mandatory courses, erfa groups,
meetings, supervision, reports and calendars."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring import access as mentoring_access
from mentoring import selectors as mentoring_selectors
from mentoring import services as mentoring_services
from mentoring.models import CheckIn, Mentorship
from peerprogram import access as core_access
from peerprogram import selectors as core_selectors
from peerprogram.access import AuthenticatedHttpRequest
from peerprogram.calendar import danish_ascii, ics_response
from peerprogram.filters import query_id
from peerprogram.forms import mark_errors
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.pdf import pdf_response
from peerprogram.services import ConcurrentEditError
from peerprogram.views import (
    PAGE_SIZE,
    apply_service,
    handle_form,
    int_or_zero,
    spreadsheet_response,
)

from . import access, exports, presenters, selectors, services
from .calendar import calendar_bytes
from .forms import (
    AttendanceForm,
    CancelForm,
    CheckInMoveFormSet,
    ChooseTopicForm,
    CohortForm,
    CompletionForm,
    CourseRecordForm,
    EnrolForm,
    ErfaGroupForm,
    ExternalForm,
    MandatoryCourseForm,
    MeetingForm,
    MentorModulesForm,
    ModuleForm,
    ProposalForm,
    SeriesForm,
    SessionFormSet,
    SupervisionForm,
)
from .models import (
    CalendarFeed,
    Cohort,
    Course,
    CourseRecord,
    Enrolment,
    ErfaGroup,
    MandatoryCourse,
    Meeting,
    Module,
)


def _warn_conflicts(
    request: AuthenticatedHttpRequest, found: list[selectors.Conflict], *, offer_move: bool = True
) -> None:
    """Double bookings are warned about, not refused: the people concerned decide. When
    coming check-ins are among them, the warning links to moving them (per mentorship) for
    whoever may move them."""
    for conflict in found[:8]:
        messages.warning(
            request,
            _("%(person)s is already booked at that time: %(other)s, %(when)s.")
            % {
                "person": conflict.person.name,
                "other": conflict.other.title,
                "when": date_format(
                    timezone.localtime(conflict.other.start), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    if len(found) > 8:
        messages.warning(
            request, _("… and %(count)s more double bookings.") % {"count": len(found) - 8}
        )
    if offer_move:
        _offer_move(request, found)


def _offer_move(request: AuthenticatedHttpRequest, found: list[selectors.Conflict]) -> None:
    clashing = {
        c.other.source.pk
        for c in found
        if c.other.kind == "checkin" and isinstance(c.other.source, CheckIn)
    }
    if not clashing:
        return
    per_mentorship = Counter(
        mentoring_access.movable_checkins(request.user)
        .filter(pk__in=clashing)
        .values_list("mentorship_id", flat=True)
    )
    mentorships = Mentorship.objects.filter(pk__in=per_mentorship).select_related(
        "peer__staff_member", "mentor"
    )
    for mentorship in mentorships[:5]:
        count = per_mentorship[mentorship.pk]
        messages.warning(
            request,
            format_html(
                '<a href="{}">{}</a>',
                reverse("education:checkin_clashes", args=[mentorship.pk]),
                ngettext(
                    "Move the check-in of %(peer)s and %(mentor)s that clashes",
                    "Move the %(n)s check-ins of %(peer)s and %(mentor)s that clash",
                    count,
                )
                % {"n": count, "peer": mentorship.peer.name, "mentor": mentorship.mentor.name},
            ),
        )


# The course --------------------------------------------------------------------------


@require_GET
def course_detail(request: AuthenticatedHttpRequest) -> HttpResponse:
    course = Course.objects.order_by("pk").first()
    if course is None:
        raise Http404
    return render(
        request,
        "education/course_detail.html",
        {
            "course": course,
            "modules": course.modules.all(),
            "mandatory": MandatoryCourse.objects.all(),
            "runs": access.runs_education(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def module_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    core_access.require(access.runs_education(request.user))
    module = get_object_or_404(Module, pk=pk)
    form = ModuleForm(request.POST or None, instance=module)
    return handle_form(
        request,
        form,
        lambda: services.module_update(
            module=module,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        ),
        success=_("The module is saved."),
        template="education/simple_form.html",
        context={
            "title": _("Module %(number)s") % {"number": module.number},
            "back": reverse("education:course_detail"),
        },
        redirect_to="education:course_detail",
    )


@require_http_methods(["GET", "POST"])
def mandatory_course_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    core_access.require(access.runs_education(request.user))
    course = get_object_or_404(MandatoryCourse, pk=pk) if pk else None
    form = MandatoryCourseForm(request.POST or None, instance=course)
    return handle_form(
        request,
        form,
        lambda: services.mandatory_course_save(
            course=course,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.changes(),
        ),
        success=_("The mandatory course is saved."),
        template="education/simple_form.html",
        context={
            "title": course.name if course else _("New mandatory course"),
            "back": reverse("education:course_detail"),
        },
        redirect_to="education:course_detail",
    )


# Cohorts -----------------------------------------------------------------------------


@require_GET
def cohort_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    actor = core_access.get_actor(request.user)
    page = core_selectors.paginate(
        selectors.cohort_list(Cohort.objects.all()), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "education/cohort_list.html",
        {
            "page": page,
            "cohorts": presenters.cohort_rows(
                page.object_list, selectors.seat_counts([c["pk"] for c in page.object_list])
            ),
            "runs": actor.sees_programme,
            "manages": actor.manages_units,
        },
    )


@require_http_methods(["GET", "POST"])
def cohort_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(access.runs_education(request.user))
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = apply_service(
            form, lambda: services.cohort_create(by=request.user, **form.changes())
        )
        if cohort:
            messages.success(
                request, _("The cohort is created. Now set the date and place of each module.")
            )
            return redirect("education:cohort_edit", pk=cohort.pk)
    return render(request, "education/cohort_form.html", {"form": form, "title": _("New cohort")})


@require_GET
def cohort_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = access.get_cohort_for(request.user, pk)
    sessions = selectors.cohort_sessions(cohort)
    enrolments = list(access.enrolments_visible(request.user, cohort))
    runs = access.runs_education(request.user)
    seats = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    participations = {p.enrolment.pk: p for p in selectors.participations(seats)}
    actor = core_access.get_actor(request.user)
    rows = presenters.participant_rows(
        [
            (
                e,
                participations[e.pk],
                e.peer is not None and selectors.hired_late(e.peer, cohort),
            )
            for e in seats
        ],
        cohort=cohort,
        runs=runs,
        led_unit_ids=actor.led_unit_ids,
    )
    return render(
        request,
        "education/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "rows": rows,
            # A popular cohort's waiting list runs to hundreds: a page at a time.
            "waiting": Paginator(
                [e for e in enrolments if e.status == Enrolment.Status.WAITING], PAGE_SIZE
            ).get_page(request.GET.get("waiting")),
            "seats_taken": cohort.capacity - selectors.free_seats(cohort),
            "fees": selectors.fees(cohort, enrolments),
            "runs": runs,
            "may_enrol": actor.manages_units,
            "led_unit_ids": actor.led_unit_ids,
            "today": timezone.localdate(),
            "hired_before_months": settings.EDUCATION_HIRED_BEFORE_MONTHS,
        },
    )


def _schedule_valid(form: CohortForm, schedule: Any, sessions: list[Any], cohort: Any) -> bool:
    """The cohort form and the schedule's rows validated together, the schedule's rules
    (services.schedule_problems) put on the rows' first teaching day."""
    valid = form.is_valid()
    valid = schedule.is_valid() and valid
    if len(schedule.forms) != len(sessions):
        return valid
    start = form.cleaned_data.get("start_date") or cohort.start_date
    rows = [
        (s, f.cleaned_data.get("first_day"), f.cleaned_data.get("start_time"), "")
        for s, f in zip(sessions, schedule.forms, strict=True)
        if hasattr(f, "cleaned_data")
    ]
    if len(rows) != len(sessions):
        return False
    for index, messages_ in services.schedule_problems(start, rows).items():
        for message in messages_:
            schedule.forms[index].add_error("first_day", message)
        valid = False
    for row in schedule.forms:
        mark_errors(row)
    return valid


@require_http_methods(["GET", "POST"])
def cohort_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = access.get_cohort_for_edit(request.user, pk)
    sessions = selectors.cohort_sessions(cohort)
    form = CohortForm(request.POST or None, instance=cohort, prefix="cohort")
    schedule = SessionFormSet(
        request.POST or None,
        prefix="modules",
        initial=[
            {"first_day": s.first_day, "start_time": s.start_time, "place": s.place}
            for s in sessions
        ],
    )
    # Every error at once: the cohort's fields, each row's, and the schedule's rules on the
    # rows they concern.
    valid = request.method == "POST" and _schedule_valid(form, schedule, sessions, cohort)
    if valid:
        if len(schedule.forms) != len(sessions):
            form.add_error(None, _("The list of modules changed. Reload the page."))
        else:
            changes = form.changes()
            rows = [
                (
                    s,
                    f.cleaned_data["first_day"],
                    f.cleaned_data["start_time"],
                    f.cleaned_data["place"],
                )
                for s, f in zip(sessions, schedule.forms, strict=True)
            ]
            # The form already wrote the typed values onto the instance; the service
            # compares against what is stored.
            cohort.refresh_from_db()
            result = apply_service(
                form,
                lambda: services.cohort_update(
                    cohort=cohort,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    schedule=rows,
                    **changes,
                ),
            )
            if result:
                _cohort, promoted = result
                messages.success(request, _("The cohort is saved."))
                for e in promoted:
                    messages.info(
                        request,
                        _("%(name)s got a seat from the waiting list.")
                        % {"name": e.participant_name},
                    )
                return redirect(cohort)
    return render(
        request,
        "education/cohort_form.html",
        {
            "form": form,
            "schedule": list(zip(sessions, schedule.forms, strict=False)),
            "formset": schedule,
            "cohort": cohort,
            "title": _("Edit %(cohort)s") % {"cohort": cohort.name},
        },
    )


@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Leaders enrol their own unit's peer workers; Centre staff anyone."""
    cohort = access.get_cohort_for(request.user, pk)
    core_access.require(access.may_enrol(request.user))
    on_cohort = cohort.enrolments.exclude(status=Enrolment.Status.CANCELLED).filter(
        peer__isnull=False
    )
    peers = (
        access.enrollable_peers(request.user)
        .exclude(pk__in=on_cohort.values("peer_id"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
        .order_by("staff_member__name")
    )
    # "Enrol" on a peer worker's page or checklist comes with the peer worker chosen.
    chosen = query_id(request.GET.get("peer"))
    initial = {"peer": chosen} if chosen is not None else {}
    form = EnrolForm(request.POST or None, peers=peers, initial=initial)
    if request.method == "POST" and form.is_valid():
        peer = form.cleaned_data["peer"]
        enrolment = apply_service(
            form,
            lambda: services.enrol(
                cohort=cohort,
                by=request.user,
                peer=peer,
                centre=access.runs_education(request.user),
            ),
        )
        if enrolment:
            _enrolled_messages(request, enrolment)
            return redirect(cohort)
    candidates, elsewhere = _enrol_candidates(list(peers), cohort)
    return render(
        request,
        "education/enrol.html",
        {
            "form": form,
            "cohort": cohort,
            "candidates": candidates,
            "elsewhere": elsewhere,
            "free": selectors.free_seats(cohort),
        },
    )


@require_GET
def enrol_next(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    """Enrol this peer worker on the next cohort open for enrolment (the link on the peer
    worker's page and on the checklist's task), with the peer worker chosen."""
    peer = core_access.get_peer_for(request.user, peer_pk)
    core_access.require(access.may_enrol(request.user))
    cohort = selectors.next_open_cohort()
    if cohort is None:
        messages.info(request, _("No cohort is open for enrolment yet."))
        return redirect("education:cohort_list")
    return redirect(reverse("education:enrol", args=[cohort.pk]) + f"?peer={peer.pk}")


def _enrol_candidates(
    peers: list[PeerWorker], cohort: Cohort
) -> tuple[list[tuple[PeerWorker, bool, datetime.date]], list[tuple[PeerWorker, Cohort, bool]]]:
    """Peers who may be enrolled (with the rules' warnings), and those left out because
    they completed the education or have a place on another cohort."""
    ids = [p.pk for p in peers]
    education = selectors.education_by_peer(ids)
    waiting = selectors.waiting_by_peer(ids)
    candidates: list[tuple[PeerWorker, bool, datetime.date]] = []
    elsewhere: list[tuple[PeerWorker, Cohort, bool]] = []
    for p in peers:
        seat = education.get(p.pk)
        if seat and (seat.completed_on or seat.enrolment.cohort.status != Cohort.Status.COMPLETED):
            elsewhere.append((p, seat.enrolment.cohort, bool(seat.completed_on)))
        elif p.pk in waiting:
            elsewhere.append((p, waiting[p.pk].cohort, False))
        else:
            candidates.append((p, selectors.hired_late(p, cohort), selectors.education_deadline(p)))
    return candidates, elsewhere


def _enrolled_messages(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> None:
    cohort = enrolment.cohort
    name = enrolment.participant_name
    if enrolment.status == Enrolment.Status.ENROLLED:
        messages.success(
            request, _("%(name)s has a seat on %(cohort)s.") % {"name": name, "cohort": cohort}
        )
    else:
        messages.warning(
            request,
            _(
                "%(cohort)s is full: %(name)s is on the waiting list and gets a seat "
                "automatically when one frees up."
            )
            % {"name": name, "cohort": cohort},
        )
    if enrolment.peer is not None:
        messages.info(
            request,
            _("The fee of %(fee)s DKK is charged to the operating budget of %(unit)s.")
            % {"fee": f"{cohort.fee_dkk:,}".replace(",", "."), "unit": enrolment.paying_unit},
        )
        if selectors.hired_late(enrolment.peer, cohort):
            messages.warning(
                request,
                _(
                    "%(name)s starts less than three months before the cohort does. The "
                    "guide recommends at least three months in the job first; consider the "
                    "next cohort if it still falls within the first year."
                )
                % {"name": name},
            )
        _warn_conflicts(
            request,
            selectors.conflicts(
                [enrolment.peer.staff_member],
                selectors.bookings(selectors.cohort_entries(cohort)),
            ),
        )


@require_http_methods(["GET", "POST"])
def external_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An open seat for someone from a municipality or social psychiatry (no login)."""
    cohort = access.get_cohort_for_edit(request.user, pk)
    form = ExternalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = apply_service(
            form,
            lambda: services.enrol(
                cohort=cohort, by=request.user, centre=True, **form.cleaned_data
            ),
        )
        if enrolment:
            _enrolled_messages(request, enrolment)
            return redirect(cohort)
    return render(
        request,
        "education/simple_form.html",
        {
            "form": form,
            "title": _("External participant on %(cohort)s") % {"cohort": cohort},
            "intro": _(
                "Open seats can go to participants from municipalities and social "
                "psychiatry. They are recorded here for the cohort only and get no login. "
                "The region's peer workers go first on the waiting list."
            ),
            "back": cohort.get_absolute_url(),
        },
    )


@require_POST
def enrolment_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = access.get_enrolment_for_edit(request.user, pk)
    try:
        promoted = services.enrolment_cancel(enrolment=enrolment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer has a place on %(cohort)s.")
            % {"name": enrolment.participant_name, "cohort": enrolment.cohort},
        )
        for e in promoted:
            messages.info(
                request,
                _("%(name)s got the seat from the waiting list.") % {"name": e.participant_name},
            )
    return redirect(enrolment.cohort)


@require_http_methods(["GET", "POST"])
def enrolment_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = access.get_enrolment_for_centre(request.user, pk)
    form = CompletionForm(
        request.POST or None,
        initial={
            "completed_on": enrolment.completed_on or timezone.localdate(),
            "completion_reason": enrolment.completion_reason,
        },
    )
    return handle_form(
        request,
        form,
        lambda: services.enrolment_mark_completed(
            enrolment=enrolment,
            by=request.user,
            completed_on=form.cleaned_data["completed_on"],
            reason=form.cleaned_data["completion_reason"],
        ),
        success=_("The completion is saved."),
        template="education/simple_form.html",
        context={
            "title": _("Mark %(name)s as completed") % {"name": enrolment.participant_name},
            "intro": _(
                "Completion normally follows from the attendance: every teaching day of "
                "every module. Mark it by hand only when that does not show the truth, "
                "for example when a missed day was made up on another cohort."
            ),
            "back": enrolment.cohort.get_absolute_url(),
        },
        redirect_to=enrolment.cohort,
    )


@require_http_methods(["GET", "POST"])
def enrolment_mentor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add the peer worker's mentor to the modules they attend together."""
    enrolment = access.get_enrolment_for_edit(request.user, pk)
    if enrolment.peer is None:
        raise Http404
    cohort = enrolment.cohort
    sessions = selectors.cohort_sessions(cohort)
    mentors = StaffMember.objects.filter(
        active=True, unit_id=enrolment.peer.staff_member.unit_id, peer__isnull=True
    )
    current = mentoring_selectors.current_mentor_of(enrolment.peer)
    chosen = request.POST.get("mentor") or (current.pk if current else None)
    attending = [
        str(s.pk)
        for s in sessions
        if any(m.mentor_id == int_or_zero(chosen) for m in s.mentors.all())
    ]
    form = MentorModulesForm(
        request.POST or None,
        mentors=mentors,
        sessions=sessions,
        initial={"mentor": chosen, "sessions": attending},
    )
    by_pk = {str(s.pk): s for s in sessions}
    if request.method == "POST" and form.is_valid():
        picked = [by_pk[pk] for pk in form.cleaned_data["sessions"]]
        done = apply_service(
            form,
            lambda: (
                services.mentor_modules_set(
                    cohort=cohort,
                    mentor=form.cleaned_data["mentor"],
                    sessions=picked,
                    by=request.user,
                )
                or True
            ),
        )
        if done:
            messages.success(request, _("The mentor's modules are saved."))
            days = [e for s in picked for e in selectors.teaching_entries(s)]
            _warn_conflicts(
                request,
                selectors.conflicts([form.cleaned_data["mentor"]], selectors.bookings(days)),
            )
            return redirect(cohort)
    return render(
        request,
        "education/simple_form.html",
        {
            "form": form,
            "title": _("Mentor on modules with %(name)s") % {"name": enrolment.peer.name},
            "intro": _(
                "The mentor joins selected modules with the peer worker. The modules "
                "appear in the mentor's calendar."
            ),
            "back": cohort.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def session_attendance(request: AuthenticatedHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """The register of one module's two teaching days."""
    cohort = access.get_cohort_for_edit(request.user, pk)
    session = access.get_session_for_edit(request.user, cohort, session_pk)
    seats = list(selectors.cohort_enrolments(cohort).filter(status=Enrolment.Status.ENROLLED))
    error = ""
    if request.method == "POST":
        present = set()
        for value in request.POST.getlist("present"):
            enrolment_id, _sep, day = value.partition(":")
            present.add((int_or_zero(enrolment_id), int_or_zero(day)))
        if request.POST.get("everyone"):
            # Everyone on the teaching days that have come (the second may be tomorrow).
            held = [n for n, day in enumerate(session.days, 1) if day <= timezone.localdate()]
            present = {(e.pk, n) for e in seats for n in held}
        try:
            services.attendance_save(session=session, by=request.user, present=present)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Attendance for module %(n)s is saved.") % {"n": session.module.number}
            )
            return redirect(cohort)
    marked = set(session.attendance.values_list("enrolment_id", "day"))
    return render(
        request,
        "education/attendance.html",
        {
            "cohort": cohort,
            "session": session,
            "rows": [(e, (e.pk, 1) in marked, (e.pk, 2) in marked) for e in seats],
            "error": error,
        },
    )


@require_GET
def cohort_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = access.get_cohort_for_edit(request.user, pk)
    return render(request, "education/cohort_report.html", exports.report_context(cohort))


@require_GET
def cohort_export(request: AuthenticatedHttpRequest, pk: int, file_format: str) -> HttpResponse:
    cohort = access.get_cohort_for_edit(request.user, pk)
    name = slugify(danish_ascii(cohort.name)) or "hold"
    if file_format == "pdf":
        return pdf_response(
            request, "education/pdf/cohort.html", exports.report_context(cohort), f"{name}.pdf"
        )
    return spreadsheet_response(exports.report_dataset(cohort), name, file_format)


@require_GET
def cohort_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = access.get_cohort_for(request.user, pk)
    return _ics_response(request, selectors.cohort_entries(cohort), cohort.name)


def _ics_response(
    request: AuthenticatedHttpRequest, entries: list[selectors.Entry], name: str
) -> HttpResponse:
    body = calendar_bytes(entries, name=name, base_url=request.build_absolute_uri("/"))
    return ics_response(body, name)


# Mandatory courses and the follow-up list -----------------------------------------------


@require_http_methods(["GET", "POST"])
def peer_courses(request: AuthenticatedHttpRequest, peer_pk: int) -> HttpResponse:
    peer = access.get_peer_courses_for(request.user, peer_pk)
    may_edit = access.may_edit_courses(request.user, peer)
    summary = selectors.education_summary(peer)
    rows = summary.courses
    forms_ = [
        CourseRecordForm(
            request.POST if request.method == "POST" else None,
            prefix=f"c{course.pk}",
            initial={
                "enrolled_on": record.enrolled_on if record else None,
                "completed_on": record.completed_on if record else None,
                "version": record.version if record else 0,
            },
        )
        for course, record in rows
    ]
    error = ""
    if request.method == "POST":
        core_access.require(may_edit)
        if all(f.is_valid() for f in forms_):
            try:
                _course_records_save(request, peer, rows, forms_)
            except ConcurrentEditError as exc:
                error = str(exc.message)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("The mandatory courses are saved."))
                return redirect("education:peer_courses", peer_pk=peer.pk)
    return render(
        request,
        "education/peer_courses.html",
        {
            "peer": peer,
            "rows": list(zip(rows, forms_, strict=True)),
            "may_edit": may_edit,
            "error": error,
            "education": summary.participation,
            "waiting": summary.waiting,
            "deadline": summary.deadline,
        },
    )


@transaction.atomic
def _course_records_save(
    request: AuthenticatedHttpRequest,
    peer: PeerWorker,
    rows: list[tuple[MandatoryCourse, CourseRecord | None]],
    forms_: list[CourseRecordForm],
) -> None:
    """Save the page's dates, refused (ConcurrentEditError) if someone saved one of the
    peer worker's course records after the page was opened: the service writes them all."""
    # The check belongs with the write in services.course_records_save; it is made here,
    # in the same transaction, until that service takes the versions itself.
    stored = dict(
        CourseRecord.objects.select_for_update()
        .filter(peer=peer)
        .values_list("course_id", "version")
    )
    for (course, _record), form in zip(rows, forms_, strict=True):
        opened = form.cleaned_data["version"]
        if opened is not None and stored.get(course.pk, 0) != opened:
            raise ConcurrentEditError
    services.course_records_save(
        peer=peer,
        by=request.user,
        rows=[
            (course, f.cleaned_data["enrolled_on"], f.cleaned_data["completed_on"])
            for (course, _record), f in zip(rows, forms_, strict=True)
        ],
    )


@require_GET
def followup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Peers not enrolled, or not finished, within their first year (Centre and leaders)."""
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    peers = access.enrollable_peers(request.user)
    return render(
        request,
        "education/followup.html",
        {"rows": selectors.education_followup(peers), "today": timezone.localdate()},
    )


# Erfa groups ---------------------------------------------------------------------------


@require_GET
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    groups = list(selectors.groups_with_next_meeting(ErfaGroup.objects.filter(active=True)))
    upcoming = Meeting.objects.in_bulk([g.next_meeting_id for g in groups if g.next_meeting_id])
    return render(
        request,
        "education/group_list.html",
        {
            "groups": [(g, upcoming.get(g.next_meeting_id)) for g in groups],
            "runs": access.runs_education(request.user),
            "supervision": access.meetings_for(request.user)
            .filter(kind=Meeting.Kind.SUPERVISION, ends_at__gte=now)
            .prefetch_related("participants__staff_member")[:20],
        },
    )


@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    group = access.get_group_for_edit(request.user, pk) if pk else None
    core_access.require(access.runs_education(request.user))
    form = ErfaGroupForm(request.POST or None, instance=group)

    def save() -> ErfaGroup:
        data = form.changes()
        members = data.pop("members")
        return services.group_save(
            group=group,
            by=request.user,
            members=members,
            expected_version=form.cleaned_data.get("version"),
            **data,
        )

    return handle_form(
        request,
        form,
        save,
        success=_("The erfa group is saved."),
        template="education/simple_form.html",
        context={
            "title": _("Edit %(group)s") % {"group": group.name} if group else _("New erfa group"),
            "back": group.get_absolute_url() if group else reverse("education:group_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def group_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The group's meetings (coming and past) and the topics peers have proposed; those
    the group is for propose a topic here."""
    group = access.get_group_for(request.user, pk)
    may_propose = access.may_propose(request.user, group)
    form = ProposalForm(request.POST or None)
    if request.method == "POST":
        core_access.require(may_propose)
        if form.is_valid():
            actor = core_access.get_actor(request.user)
            proposal = apply_service(
                form,
                lambda: services.topic_propose(
                    group=group, by=request.user, person=actor.staff, **form.cleaned_data
                ),
            )
            if proposal:
                messages.success(request, _("Thank you. Your topic is proposed."))
                return redirect(group)
    now = timezone.now()
    meetings = group.meetings.select_related("facilitator").order_by("starts_at")
    runs = access.runs_education(request.user)
    return render(
        request,
        "education/group_detail.html",
        {
            "group": group,
            "coming": meetings.filter(ends_at__gte=now),
            "past": meetings.filter(ends_at__lt=now).order_by("-starts_at")[:12],
            "proposals": group.proposals.select_related("proposed_by", "meeting"),
            "series": selectors.coming_series(group) if runs else [],
            "form": form,
            "may_propose": may_propose,
            "runs": runs,
            "choose_form": ChooseTopicForm(group=group) if runs else None,
        },
    )


@require_http_methods(["GET", "POST"])
def series_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_edit(request.user, pk)
    form = SeriesForm(request.POST or None, group=group)
    preview: list[tuple[datetime.date, bool]] | None = None
    if request.method == "POST" and form.is_valid() and request.POST.get("preview"):
        # The dates first, with those the group already meets on (they will be skipped).
        preview = services.series_preview(group=group, **form.cleaned_data)
    elif request.method == "POST" and form.is_valid():
        result = apply_service(
            form, lambda: services.series_create(group=group, by=request.user, **form.cleaned_data)
        )
        if result:
            _series, meetings = result
            messages.success(
                request,
                ngettext(
                    "%(count)s meeting is planned for %(group)s.",
                    "%(count)s meetings are planned for %(group)s.",
                    len(meetings),
                )
                % {"count": len(meetings), "group": group},
            )
            _warn_conflicts(
                request,
                selectors.conflicts(
                    selectors.audience(group),
                    selectors.bookings([selectors.meeting_entry(m) for m in meetings]),
                ),
            )
            return redirect(group)
    return render(
        request,
        "education/series_form.html",
        {
            "form": form,
            "group": group,
            "preview": preview,
            "skipped": sum(1 for _day, taken in preview or [] if taken),
            "too_many": preview is not None and len(preview) > services.MAX_SERIES_MEETINGS,
        },
    )


@require_POST
def series_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a series: its coming meetings nobody has recorded anything on."""
    series = access.get_series_for_edit(request.user, pk)
    group = series.group
    count = services.series_remove(series=series, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(n)s coming meeting of the series is removed.",
            "%(n)s coming meetings of the series are removed.",
            count,
        )
        % {"n": count},
    )
    return redirect(group)


@require_POST
def topic_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = access.get_proposal_for_edit(request.user, pk)
    form = ChooseTopicForm(request.POST, group=proposal.group)
    if form.is_valid():
        try:
            services.topic_choose(
                proposal=proposal, meeting=form.cleaned_data["meeting"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("“%(topic)s” is chosen for the meeting.") % {"topic": proposal.title}
            )
    else:
        messages.error(request, _("Choose a coming meeting of the group."))
    return redirect(proposal.group)


# Meetings and supervision ------------------------------------------------------------------


@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    return render(
        request,
        "education/meeting_detail.html",
        {
            "meeting": meeting,
            # The Centre runs every meeting; a leader the supervision of their own peers.
            "runs": access.runs_education(request.user)
            or access.leads_supervision(request.user, meeting),
            "participants": meeting.participants.select_related("staff_member__unit"),
            "attended": meeting.attendance.select_related("person__unit").order_by("person__name"),
            "proposals": meeting.proposals.all(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move or change one meeting; it stays in its series."""
    meeting = access.get_meeting_for_edit(request.user, pk)
    form = MeetingForm(
        request.POST or None, meeting=meeting, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        for key in ("date", "start_time", "end_time"):
            data.pop(key)
        moved = data["starts_at"] != meeting.starts_at or data["ends_at"] != meeting.ends_at
        saved = apply_service(
            form,
            lambda: services.meeting_update(
                meeting=meeting, by=request.user, expected_version=version, **data
            ),
        )
        if saved:
            messages.success(request, _("The meeting is saved."))
            if moved:
                _warn_conflicts(
                    request,
                    selectors.conflicts(
                        selectors.meeting_people(meeting),
                        selectors.bookings([selectors.meeting_entry(meeting)]),
                    ),
                )
            return redirect(meeting)
    return render(
        request,
        "education/simple_form.html",
        {"form": form, "title": _("Change the meeting"), "back": meeting.get_absolute_url()},
    )


@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for_edit(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling the meeting."))
        return redirect(meeting)
    try:
        services.meeting_cancel(
            meeting=meeting,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as exc:
        messages.error(request, str(exc.message))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The meeting is cancelled. The rest of the series is unchanged.")
        )
    return redirect(meeting)


@require_POST
def meeting_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for_edit(request.user, pk)
    try:
        services.meeting_restore(
            meeting=meeting,
            by=request.user,
            expected_version=int_or_zero(request.POST.get("version")),
        )
    except ConcurrentEditError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The meeting is planned again."))
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for_edit(request.user, pk)
    attended = list(meeting.attendance.values_list("person_id", flat=True))
    # Those the meeting was for, and anyone already recorded (who may have left since).
    expected = {p.pk for p in selectors.meeting_people(meeting)} | set(attended)
    data: QueryDict | None = request.POST or None
    if data is not None and data.get("everyone"):
        everyone = data.copy()
        everyone.setlist("people", [str(pk) for pk in sorted(expected)])
        data = everyone
    form = AttendanceForm(
        data,
        people=StaffMember.objects.filter(pk__in=expected).select_related("unit").order_by("name"),
        initial={"people": attended},
    )
    return handle_form(
        request,
        form,
        lambda: services.meeting_attendance_save(
            meeting=meeting, by=request.user, people=list(form.cleaned_data["people"])
        ),
        success=_("The attendance is saved."),
        template="education/simple_form.html",
        context={
            "title": _("Who took part: %(meeting)s, %(when)s")
            % {
                "meeting": meeting.title,
                "when": date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT"),
            },
            "back": meeting.get_absolute_url(),
            "everyone": True,
        },
    )


@require_GET
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    return _ics_response(request, [selectors.meeting_entry(meeting)], str(meeting))


@require_http_methods(["GET", "POST"])
def supervision_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    core_access.require(access.may_arrange_supervision(request.user))
    peers = access.supervision_peers_for(request.user)
    chosen = query_id(request.GET.get("peer"))
    initial = {"participants": [chosen]} if chosen is not None else {}
    form = SupervisionForm(request.POST or None, peers=peers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("date", "start_time", "end_time")
        }
        data["participants"] = list(data["participants"])
        meeting = apply_service(form, lambda: services.supervision_create(by=request.user, **data))
        if meeting:
            messages.success(request, _("The supervision is scheduled."))
            _warn_conflicts(
                request,
                selectors.conflicts(
                    [p.staff_member for p in data["participants"]],
                    selectors.bookings([selectors.meeting_entry(meeting)]),
                ),
            )
            return redirect(meeting)
    return render(
        request,
        "education/simple_form.html",
        {
            "form": form,
            "title": _("Schedule supervision"),
            "intro": _(
                "Supervision for one peer worker or a group of peer workers, once or as a "
                "series. The guides strongly recommend it. Typical themes: the balance "
                "between professional and private, preventing peer drift, the peer role in "
                "the team, supporting the patient's own voice, personal limits."
            ),
            "back": reverse("education:group_list"),
        },
    )


@require_GET
def erfa_attendance(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each peer worker's attendance at the peer erfa group, month by month."""
    actor = core_access.get_actor(request.user)
    core_access.require(actor.manages_units)
    today = timezone.localdate()
    year = int_or_zero(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    peers = access.enrollable_peers(request.user).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
        start_date__lte=datetime.date(year, 12, 31),
    )
    rows, held = selectors.erfa_year(peers, year)
    return render(
        request,
        "education/erfa_attendance.html",
        {"rows": rows, "held": held, "year": year, "months": range(1, 13)},
    )


# Calendars ----------------------------------------------------------------------------


PEOPLE_FOUND = 20


@require_GET
def calendar_month(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A month of everything scheduled: the Centre sees the whole programme or one
    person; a leader their units' people; everyone else their own."""
    actor = core_access.get_actor(request.user)
    today = timezone.localdate()
    year, month = (
        int_or_zero(request.GET.get("year")) or today.year,
        int_or_zero(request.GET.get("month")),
    )
    if not 1 <= month <= 12:
        month = today.month
    if not 2000 <= year <= 2100:
        year = today.year
    kinds = [k for k in request.GET.getlist("kind") if k in selectors.kind_labels()] or list(
        selectors.kind_labels()
    )
    people = access.calendar_people(request.user)
    person_id = query_id(request.GET.get("person"))
    person = None
    if person_id is not None:
        person = get_object_or_404(people, pk=person_id)
    elif not actor.sees_programme:
        person = actor.staff
    # A leader chooses among their units' staff; the Centre reaches thousands of people
    # and finds one by name instead.
    leads_only = actor.is_leader and not actor.sees_programme
    who = request.GET.get("who", "").strip()[:100] if actor.sees_programme else ""
    found = None
    if who:
        found = list(people.filter(name__icontains=who).order_by("name", "pk")[: PEOPLE_FOUND + 1])
    weeks = selectors.month_grid(year, month)
    start = timezone.make_aware(datetime.datetime.combine(weeks[0][0], datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(weeks[-1][-1] + datetime.timedelta(days=1), datetime.time.min)
    )
    if person is not None:
        entries = selectors.entries_for(person, start, end, viewer=actor.staff)
    elif actor.sees_programme:
        entries = selectors.programme_entries(start, end)
    else:
        entries = []
    entries = [e for e in entries if e.kind in kinds]
    labels = selectors.kind_labels()
    if (
        person is None
        or actor.staff is None
        or (person.pk != actor.staff.pk and person.unit_id not in actor.led_unit_ids)
    ):
        # What the calendar sources add is private to the people who take part in it.
        private = {source.kind for source in selectors.calendar_sources()}
        labels = {k: v for k, v in labels.items() if k not in private}
    by_day: dict[datetime.date, list] = {}
    for entry in entries:
        by_day.setdefault(timezone.localdate(entry.start), []).append(entry)
    first = datetime.date(year, month, 1)
    previous = first - datetime.timedelta(days=1)
    following = first + datetime.timedelta(days=32)
    return render(
        request,
        "education/calendar.html",
        {
            "weeks": [[(d, by_day.get(d, [])) for d in week] for week in weeks],
            "month": first,
            "previous": previous.replace(day=1),
            "following": following.replace(day=1),
            "today": today,
            "kinds": labels,
            "chosen_kinds": kinds,
            "person": person,
            "people": people.order_by("name") if leads_only else None,
            "who": who,
            "found": found[:PEOPLE_FOUND] if found is not None else None,
            "more_found": found is not None and len(found) > PEOPLE_FOUND,
            "sees_programme": actor.sees_programme,
            "upcoming": [e for e in entries if e.end >= timezone.now()][:8],
        },
    )


@require_http_methods(["GET", "POST"])
def calendar_subscribe(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My calendar address for Outlook. The address opens the calendar without a login, so
    it is made only when the person asks for it (a POST), and renewed the same way if it
    was shared by mistake; looking at the page changes nothing."""
    actor = core_access.get_actor(request.user)
    if actor.staff is None:
        raise Http404
    feed = CalendarFeed.objects.filter(person=actor.staff).first()
    if request.method == "POST":
        services.feed_renew(person=actor.staff, by=request.user)
        if feed is None:
            messages.success(request, _("Your calendar address is ready: copy it into Outlook."))
        else:
            messages.success(
                request,
                _("You have a new calendar address. The old one no longer works: subscribe again."),
            )
        return redirect("education:calendar_subscribe")
    url = ""
    if feed is not None:
        url = request.build_absolute_uri(reverse("education:calendar_feed", args=[feed.token]))
    return render(request, "education/calendar_subscribe.html", {"feed": feed, "url": url})


FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret address Outlook subscribes to: no login, the token is the key."""
    feed = (
        CalendarFeed.objects.filter(token=token, person__active=True)
        .select_related("person")
        .first()
    )
    if feed is None:
        raise Http404
    now = timezone.now()
    entries = selectors.entries_for(
        feed.person,
        now - datetime.timedelta(days=FEED_PAST_DAYS),
        now + datetime.timedelta(days=FEED_FUTURE_DAYS),
        viewer=feed.person,
    )
    body = calendar_bytes(
        entries,
        name=_("Peerprogram: %(name)s") % {"name": feed.person.name},
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# Check-ins that clash ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkin_clashes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A mentorship's coming check-ins that clash with teaching days, meetings or the
    mentor's other check-ins, each with a free day proposed; the ticked ones move in one
    action. Whoever reaches the mentorship may move its planned check-ins (the note
    between the two is not touched)."""
    mentorship = mentoring_access.get_mentorship_for(request.user, pk)
    movable = {
        c.pk: c
        for c in mentoring_access.movable_checkins(request.user).filter(mentorship=mentorship)
    }
    clashes = {
        c.checkin.pk: c for c in selectors.checkin_clashes(mentorship, list(movable.values()))
    }
    if request.method == "POST":
        formset = CheckInMoveFormSet(request.POST, prefix="move")
    else:
        formset = CheckInMoveFormSet(
            prefix="move",
            initial=[
                {
                    "checkin": c.checkin.pk,
                    "version": c.checkin.version,
                    "move": c.proposed is not None,
                    "new_date": c.proposed,
                }
                for c in clashes.values()
            ],
        )
    rows = []
    for form in formset.forms:
        raw = query_id(str(form["checkin"].value()))
        checkin = movable.get(raw) if raw is not None else None
        if checkin is not None:
            when = date_format(checkin.date, "DATE_FORMAT")
            form.fields["move"].label = _("Move the check-in on %(day)s") % {"day": when}
            form.fields["new_date"].label = _("New day for the check-in on %(day)s") % {"day": when}
        rows.append((form, checkin, clashes.get(checkin.pk) if checkin else None))
    if request.method == "POST" and formset.is_valid():
        moves = []
        for form, checkin, _clash in rows:
            if checkin is None:
                form.add_error(None, _("This check-in can no longer be moved. Reload the page."))
            elif form.cleaned_data["move"]:
                moves.append((checkin, form.cleaned_data["new_date"], form.cleaned_data["version"]))
        if formset.is_valid() and _moved(request, formset, rows, moves):
            return redirect(mentorship)
    for form, _checkin, _clash in rows:
        mark_errors(form)
    return render(
        request,
        "education/checkin_clashes.html",
        {"m": mentorship, "formset": formset, "rows": rows},
    )


def _moved(
    request: AuthenticatedHttpRequest,
    formset: Any,
    rows: list[tuple[Any, CheckIn | None, selectors.Clash | None]],
    moves: list[tuple[CheckIn, datetime.date, int]],
) -> bool:
    try:
        moved = mentoring_services.checkins_move(moves=moves, by=request.user)
    except ConcurrentEditError:
        formset.add_error(
            _("Someone changed one of these check-ins a moment ago. Reload the page to see it.")
        )
        return False
    except ValidationError as exc:
        by_key = {f"checkin-{checkin.pk}": form for form, checkin, _clash in rows if checkin}
        for key, errors in exc.message_dict.items():
            for error in errors:
                by_key[key].add_error("new_date", error)
        return False
    messages.success(
        request,
        ngettext("%(n)s check-in is moved.", "%(n)s check-ins are moved.", len(moved))
        % {"n": len(moved)},
    )
    mentorship = moved[0].mentorship
    _warn_conflicts(
        request,
        selectors.conflicts(
            [mentorship.mentor, mentorship.peer.staff_member],
            selectors.bookings([selectors.checkin_entry(c) for c in moved]),
        ),
        offer_move=False,
    )
    return True
