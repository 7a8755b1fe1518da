"""The permission matrix: every URL pattern of the project x every role.

A URL pattern without a row here fails `test_every_url_pattern_has_a_row`.
docs/permissions.md describes the same matrix in plain words.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES

# Outcomes per role, in the order of ROLES:
# anonymous, leader, peer, mentor, centre, admin, outsider (leader of another unit).
LOGIN = "login"  # redirected to the login page


def row(anonymous, leader, peer, mentor, centre, admin_, outsider):
    return dict(
        zip(ROLES, [anonymous, leader, peer, mentor, centre, admin_, outsider], strict=True)
    )


EVERYONE = row(LOGIN, 200, 200, 200, 200, 200, 200)
MANAGERS = row(LOGIN, 200, 403, 403, 200, 200, 200)
PROGRAMME = row(LOGIN, 403, 403, 403, 200, 200, 403)
PROGRAMME_POST = row(LOGIN, 403, 403, 403, 302, 302, 403)
UNIT_A = row(LOGIN, 200, 404, 404, 200, 200, 404)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200)
UNIT_A_POST = row(LOGIN, 302, 404, 404, 302, 302, 404)
# A mentorship: its two parties, the unit's leader, the Centre, administrators.
MENTORSHIP = row(LOGIN, 200, 200, 200, 200, 200, 404)
# Logging a check-in: only the mentor and the peer worker.
PARTIES = row(LOGIN, 404, 200, 200, 404, 404, 404)
# A redirect to the next open cohort: those who enrol the peer worker.
ENROL_NEXT = row(LOGIN, 302, 403, 403, 302, 302, 404)
PARTIES_POST = row(LOGIN, 404, 302, 302, 404, 404, 404)
# Applicants: the unit's leader, the hiring committee (here: the Centre member), admins.
APPLICANTS = row(LOGIN, 200, 404, 404, 200, 200, 404)
# Adding applicants and deciding: the unit's leader and administrators.
HIRING = row(LOGIN, 200, 404, 404, 404, 200, 404)
HIRING_POST = row(LOGIN, 302, 404, 404, 404, 302, 404)
# Running the education: Centre staff and administrators; hidden (404) from everyone else.
CENTRE_ONLY = row(LOGIN, 404, 404, 404, 200, 200, 404)
CENTRE_POST = row(LOGIN, 404, 404, 404, 302, 302, 404)
# The journal is written by peer workers: other roles have no use for these pages.
PEERS = row(LOGIN, 403, 200, 403, 403, 403, 403)
# A patient on the peer's caseload, and every page with note content: only that peer.
CASELOAD = row(LOGIN, 404, 200, 404, 404, 404, 404)
CASELOAD_POST = row(LOGIN, 404, 302, 404, 404, 404, 404)
# A peer worker's leaflet: the peer, the unit's leader, the Centre.
LEAFLET = row(LOGIN, 200, 200, 404, 200, 200, 404)
# A leader's talks with a peer worker: the two of them; recording is the leader's.
TALKS = row(LOGIN, 200, 200, 404, 404, 404, 404)
TALK_LEADER = row(LOGIN, 200, 404, 404, 404, 404, 404)
# Referring needs a staff record (the administrator has none).
STAFF = row(LOGIN, 200, 200, 200, 200, 403, 200)

# (url name, kwargs builder, method, expected outcomes)
MATRIX = [
    ("peerprogram:home", lambda c: {}, "get", EVERYONE),
    # For load balancers: no login, and nothing but whether the parts answer.
    ("health", lambda c: {}, "get", PUBLIC),
    ("peerprogram:unit_list", lambda c: {}, "get", MANAGERS),
    ("peerprogram:unit_create", lambda c: {}, "get", PROGRAMME),
    ("peerprogram:unit_detail", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    ("peerprogram:unit_edit", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    ("peerprogram:staff_list", lambda c: {}, "get", MANAGERS),
    ("peerprogram:staff_create", lambda c: {}, "get", MANAGERS),
    # The mentor's own staff page: the mentor sees themself.
    (
        "peerprogram:staff_detail",
        lambda c: {"pk": c.mentor.pk},
        "get",
        row(LOGIN, 200, 404, 200, 200, 200, 404),
    ),
    ("peerprogram:staff_edit", lambda c: {"pk": c.mentor.pk}, "get", UNIT_A),
    ("peerprogram:peer_list", lambda c: {}, "get", MANAGERS),
    ("peerprogram:peer_create", lambda c: {}, "get", MANAGERS),
    # A peer sees their own record; their mentor sees their mentee.
    (
        "peerprogram:peer_detail",
        lambda c: {"pk": c.peer.pk},
        "get",
        row(LOGIN, 200, 200, 200, 200, 200, 404),
    ),
    ("peerprogram:peer_edit", lambda c: {"pk": c.peer.pk}, "get", UNIT_A),
    # The yearly report: the programme's for the Centre; a unit's for its leader too.
    ("peerprogram:programme_report", lambda c: {}, "get", PROGRAMME),
    ("peerprogram:programme_report_pdf", lambda c: {}, "get", PROGRAMME),
    ("peerprogram:programme_report_xlsx", lambda c: {}, "get", PROGRAMME),
    ("peerprogram:unit_report", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    ("peerprogram:unit_report_pdf", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    ("peerprogram:unit_report_xlsx", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    ("peerprogram:data_import", lambda c: {"kind": "units"}, "get", PROGRAMME),
    ("peerprogram:data_import", lambda c: {"kind": "staff"}, "get", MANAGERS),
    ("peerprogram:data_export", lambda c: {"kind": "units"}, "get", MANAGERS),
    ("peerprogram:data_export", lambda c: {"kind": "staff"}, "get", MANAGERS),
    ("login", lambda c: {}, "get", PUBLIC),
    ("logout", lambda c: {}, "get", row(LOGIN, 405, 405, 405, 405, 405, 405)),
    ("logout", lambda c: {}, "post", row(302, 302, 302, 302, 302, 302, 302)),
    # Single sign-on: without OIDC_ISSUER (as here) its start and callback do not exist; the
    # page saying why a sign-on was refused is for anyone (tests/e2e/test_sso.py runs it on).
    ("sso_login", lambda c: {}, "get", row(404, 404, 404, 404, 404, 404, 404)),
    ("sso_callback", lambda c: {}, "get", row(404, 404, 404, 404, 404, 404, 404)),
    ("sso_refused", lambda c: {}, "get", PUBLIC),
    ("password_change", lambda c: {}, "get", EVERYONE),
    ("password_change_done", lambda c: {}, "get", EVERYONE),
    ("password_reset", lambda c: {}, "get", PUBLIC),
    ("password_reset_done", lambda c: {}, "get", PUBLIC),
    (
        "password_reset_confirm",
        lambda c: {"uidb64": "MQ", "token": "invalid-token"},
        "get",
        PUBLIC,
    ),
    ("password_reset_complete", lambda c: {}, "get", PUBLIC),
    ("set_language", lambda c: {}, "post", row(302, 302, 302, 302, 302, 302, 302)),
    # Mentoring: the peer's mentorship with the mentor of the cast.
    ("mentoring:mentor_assign", lambda c: {"peer_pk": c.peer.pk}, "get", UNIT_A),
    ("mentoring:overview", lambda c: {}, "get", MANAGERS),
    ("mentoring:mentorship_detail", lambda c: {"pk": c.mentorship.pk}, "get", MENTORSHIP),
    ("mentoring:mentorship_ics", lambda c: {"pk": c.mentorship.pk}, "get", MENTORSHIP),
    (
        "mentoring:mentorship_continue",
        lambda c: {"pk": c.mentorship.pk},
        "post",
        row(LOGIN, 302, 403, 403, 302, 302, 404),
    ),
    (
        "mentoring:mentorship_end",
        lambda c: {"pk": c.mentorship.pk},
        "post",
        row(LOGIN, 302, 403, 403, 302, 302, 404),
    ),
    # Function descriptions: read where the peer worker's page is read; drafted by the
    # unit's leader, the Centre and administrators; agreed by the leader and the peer.
    ("employment:template_edit", lambda c: {}, "get", CENTRE_ONLY),
    ("employment:retention", lambda c: {}, "get", MANAGERS),
    # The staff group's questions: leaders print them; the Centre keeps them.
    ("employment:questions", lambda c: {}, "get", MANAGERS),
    ("employment:questions_pdf", lambda c: {}, "get", MANAGERS),
    ("employment:questions_edit", lambda c: {}, "get", CENTRE_ONLY),
    # The leaflet: the peer worker writes and approves their own presentation; the leaflet
    # is made by them, their leader or the Centre.
    (
        "employment:presentation_edit",
        lambda c: {"peer_pk": c.peer.pk},
        "get",
        row(LOGIN, 404, 200, 404, 404, 404, 404),
    ),
    ("employment:leaflet", lambda c: {"peer_pk": c.peer.pk}, "get", LEAFLET),
    ("employment:leaflet_pdf", lambda c: {"peer_pk": c.peer.pk}, "get", LEAFLET),
    (
        "employment:leaflet_make",
        lambda c: {"peer_pk": c.peer.pk},
        "post",
        row(LOGIN, 302, 302, 404, 302, 302, 404),
    ),
    (
        "employment:function_page",
        lambda c: {"peer_pk": c.peer.pk},
        "get",
        row(LOGIN, 200, 200, 200, 200, 200, 404),
    ),
    (
        "employment:description_create",
        lambda c: {"peer_pk": c.other_peer.pk},
        "get",
        row(LOGIN, 404, 404, 404, 200, 200, 200),
    ),
    (
        "employment:description_detail",
        lambda c: {"pk": c.description.pk},
        "get",
        row(LOGIN, 200, 200, 200, 200, 200, 404),
    ),
    (
        "employment:description_pdf",
        lambda c: {"pk": c.description.pk},
        "get",
        row(LOGIN, 200, 200, 200, 200, 200, 404),
    ),
    ("employment:description_edit", lambda c: {"pk": c.description.pk}, "get", UNIT_A),
    (
        "employment:description_agree",
        lambda c: {"pk": c.description.pk},
        "post",
        row(LOGIN, 302, 302, 404, 404, 404, 404),
    ),
    ("employment:description_discard", lambda c: {"pk": c.description.pk}, "post", UNIT_A_POST),
    # Follow-up talks: the unit's leader and the peer worker, nobody else (not the Centre,
    # not the mentor, not an administrator); recorded by the leader.
    ("employment:follow_up", lambda c: {"peer_pk": c.peer.pk}, "get", TALKS),
    ("employment:talk_detail", lambda c: {"pk": c.talk.pk}, "get", TALKS),
    ("employment:talk_record", lambda c: {"peer_pk": c.peer.pk}, "get", TALK_LEADER),
    ("employment:talk_change", lambda c: {"peer_pk": c.peer.pk}, "get", TALK_LEADER),
    ("employment:rhythm_edit", lambda c: {"peer_pk": c.peer.pk}, "get", TALK_LEADER),
    ("employment:action_edit", lambda c: {"pk": c.action.pk}, "get", TALK_LEADER),
    # The weekly log of tasks outside the description: the peer worker and the leader.
    ("employment:outside_tasks", lambda c: {"peer_pk": c.peer.pk}, "get", TALKS),
    (
        "employment:outside_task_delete",
        lambda c: {"pk": c.outside_task.pk},
        "post",
        row(LOGIN, 302, 302, 404, 404, 404, 404),
    ),
    (
        "employment:action_toggle",
        lambda c: {"pk": c.action.pk},
        "post",
        row(LOGIN, 302, 302, 404, 404, 404, 404),
    ),
    # Signals and the programme's health: the unit's leader and the Centre; the health page
    # and its exports the Centre only.
    # The implementation survey: written and run by the Centre; leaders read their units'
    # results (tests/evaluation); the personal link answers for its own person only.
    ("evaluation:survey_list", lambda c: {}, "get", MANAGERS),
    ("evaluation:questionnaire_create", lambda c: {}, "get", PROGRAMME),
    ("evaluation:questionnaire_detail", lambda c: {"pk": c.questionnaire.pk}, "get", PROGRAMME),
    ("evaluation:questionnaire_edit", lambda c: {"pk": c.questionnaire.pk}, "get", PROGRAMME),
    ("evaluation:questionnaire_copy", lambda c: {"pk": c.questionnaire.pk}, "post", PROGRAMME_POST),
    ("evaluation:round_create", lambda c: {}, "get", PROGRAMME),
    ("evaluation:round_detail", lambda c: {"pk": c.open_round.pk}, "get", PROGRAMME),
    ("evaluation:round_edit", lambda c: {"pk": c.open_round.pk}, "get", PROGRAMME),
    ("evaluation:round_invite", lambda c: {"pk": c.open_round.pk}, "post", PROGRAMME_POST),
    ("evaluation:round_remind", lambda c: {"pk": c.open_round.pk}, "post", PROGRAMME_POST),
    ("evaluation:round_results", lambda c: {"pk": c.closed_round.pk}, "get", PROGRAMME),
    ("evaluation:round_results_xlsx", lambda c: {"pk": c.closed_round.pk}, "get", PROGRAMME),
    ("evaluation:round_results_pdf", lambda c: {"pk": c.closed_round.pk}, "get", PROGRAMME),
    (
        "evaluation:answer",
        lambda c: {"token": c.invitation.token},
        "get",
        row(200, 403, 200, 403, 403, 403, 403),
    ),
    # Outcome measures: aggregates for leaders and the Centre; the answers (patient data)
    # only for the peer workers on the caseload; instruments and research: the Centre.
    ("evaluation:outcomes", lambda c: {}, "get", MANAGERS),
    ("evaluation:measures_due", lambda c: {}, "get", PEERS),
    ("evaluation:patient_outcomes", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("evaluation:consent_edit", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("evaluation:measurement_start", lambda c: {"pk": c.patient.pk}, "post", CASELOAD_POST),
    ("evaluation:measurement_fill", lambda c: {"pk": c.measurement.pk}, "get", CASELOAD),
    ("evaluation:measurement_review", lambda c: {"pk": c.measurement.pk}, "get", CASELOAD),
    (
        "evaluation:measurement_discard",
        lambda c: {"pk": c.measurement.pk},
        "post",
        CASELOAD_POST,
    ),
    ("evaluation:instrument_create", lambda c: {}, "get", PROGRAMME),
    ("evaluation:instrument_detail", lambda c: {"pk": c.instrument.pk}, "get", PROGRAMME),
    ("evaluation:instrument_edit", lambda c: {"pk": c.instrument.pk}, "get", PROGRAMME),
    (
        "evaluation:peer_research",
        lambda c: {"peer_pk": c.peer.pk},
        "get",
        row(LOGIN, 404, 200, 404, 200, 200, 404),
    ),
    ("evaluation:project_create", lambda c: {}, "get", PROGRAMME),
    ("evaluation:project_detail", lambda c: {"pk": c.project.pk}, "get", PROGRAMME),
    ("evaluation:project_edit", lambda c: {"pk": c.project.pk}, "get", PROGRAMME),
    (
        "evaluation:project_export",
        lambda c: {"pk": c.project.pk},
        "post",
        row(LOGIN, 403, 403, 403, 200, 200, 403),
    ),
    ("programme:health", lambda c: {}, "get", PROGRAMME),
    ("programme:health_xlsx", lambda c: {}, "get", PROGRAMME),
    ("programme:health_pdf", lambda c: {}, "get", PROGRAMME),
    ("programme:unit", lambda c: {"pk": c.unit.pk}, "get", UNIT_A),
    # One's own e-mail choices: everyone with a staff record.
    ("programme:my_emails", lambda c: {}, "get", row(LOGIN, 200, 200, 200, 200, 404, 200)),
    (
        "programme:signal_ack",
        lambda c: {"peer_pk": c.peer.pk, "kind": "alone"},
        "get",
        UNIT_A,
    ),
    ("mentoring:checkin_quick", lambda c: {"pk": c.checkin.pk}, "post", PARTIES_POST),
    ("mentoring:checkin_log", lambda c: {"pk": c.checkin.pk}, "get", PARTIES),
    (
        "mentoring:task_toggle",
        lambda c: {"pk": c.task.pk},
        "post",
        row(LOGIN, 404, 404, 302, 404, 404, 404),
    ),
    ("mentoring:away", lambda c: {}, "get", row(LOGIN, 200, 200, 200, 200, 403, 200)),
    (
        "mentoring:away_remove",
        lambda c: {"pk": c.away.pk},
        "post",
        row(LOGIN, 404, 404, 302, 404, 404, 404),
    ),
    # Recruitment: the vacancy is in unit A; its committee is the leader and the Centre member.
    ("recruitment:vacancy_list", lambda c: {}, "get", EVERYONE),
    ("recruitment:vacancy_create", lambda c: {}, "get", MANAGERS),
    ("recruitment:vacancy_detail", lambda c: {"pk": c.vacancy.pk}, "get", UNIT_A),
    ("recruitment:vacancy_edit", lambda c: {"pk": c.vacancy.pk}, "get", UNIT_A),
    ("recruitment:vacancy_posting", lambda c: {"pk": c.vacancy.pk}, "get", UNIT_A),
    ("recruitment:vacancy_posting_pdf", lambda c: {"pk": c.vacancy.pk}, "get", UNIT_A),
    ("recruitment:vacancy_status", lambda c: {"pk": c.vacancy.pk}, "post", UNIT_A_POST),
    # The committee is put together by the leader (or an administrator).
    ("recruitment:committee_add", lambda c: {"pk": c.vacancy.pk}, "post", HIRING_POST),
    ("recruitment:committee_remove", lambda c: {"pk": c.seat.pk}, "post", HIRING_POST),
    ("recruitment:applicant_board", lambda c: {"pk": c.vacancy.pk}, "get", APPLICANTS),
    ("recruitment:applicant_create", lambda c: {"pk": c.vacancy.pk}, "get", HIRING),
    ("recruitment:applicant_import", lambda c: {"pk": c.vacancy.pk}, "get", HIRING),
    ("recruitment:applicant_detail", lambda c: {"pk": c.applicant.pk}, "get", APPLICANTS),
    ("recruitment:applicant_edit", lambda c: {"pk": c.applicant.pk}, "get", HIRING),
    ("recruitment:applicant_questionnaire", lambda c: {"pk": c.applicant.pk}, "post", HIRING),
    ("recruitment:applicant_decision", lambda c: {"pk": c.applicant.pk}, "post", HIRING),
    ("recruitment:applicant_move", lambda c: {"pk": c.applicant.pk}, "post", HIRING_POST),
    ("recruitment:interview_create", lambda c: {"pk": c.applicant.pk}, "get", HIRING),
    # Only committee members write assessments (the administrator has no seat).
    (
        "recruitment:assessment_edit",
        lambda c: {"pk": c.interview.pk},
        "get",
        row(LOGIN, 200, 404, 404, 200, 403, 404),
    ),
    ("recruitment:reference_create", lambda c: {"pk": c.applicant.pk}, "get", HIRING),
    ("recruitment:applicant_hire", lambda c: {"pk": c.applicant.pk}, "get", HIRING),
    # Checklist tasks delegated to the user: anyone with a staff record.
    ("recruitment:delegated_tasks", lambda c: {}, "get", STAFF),
    ("recruitment:checklist_overview", lambda c: {}, "get", MANAGERS),
    ("recruitment:onboarding_summary_pdf", lambda c: {}, "get", PROGRAMME),
    ("recruitment:checklist", lambda c: {"pk": c.onboarding.pk}, "get", UNIT_A),
    ("recruitment:onboarding_pdf", lambda c: {"pk": c.onboarding.pk}, "get", UNIT_A),
    ("recruitment:checklist_item_add", lambda c: {"pk": c.onboarding.pk}, "get", UNIT_A),
    ("recruitment:checklist_item_toggle", lambda c: {"pk": c.item.pk}, "post", UNIT_A_POST),
    ("recruitment:checklist_item_edit", lambda c: {"pk": c.item.pk}, "get", UNIT_A),
    ("recruitment:checklist_start", lambda c: {"peer_pk": c.peer.pk}, "post", UNIT_A_POST),
    ("recruitment:posting_template_edit", lambda c: {}, "get", PROGRAMME),
    ("recruitment:checklist_template", lambda c: {}, "get", PROGRAMME),
    ("recruitment:checklist_template_item_add", lambda c: {}, "get", PROGRAMME),
    ("recruitment:checklist_template_item", lambda c: {"pk": c.template_item.pk}, "get", PROGRAMME),
    # Education: an open cohort with the cast's peer on it, the peer erfa group with a
    # meeting yesterday, and a supervision for the peer.
    ("education:cohort_list", lambda c: {}, "get", EVERYONE),
    ("education:course_detail", lambda c: {}, "get", EVERYONE),
    ("education:module_edit", lambda c: {"pk": c.module.pk}, "get", PROGRAMME),
    ("education:mandatory_course_create", lambda c: {}, "get", PROGRAMME),
    ("education:mandatory_course_edit", lambda c: {"pk": c.course.pk}, "get", PROGRAMME),
    ("education:cohort_create", lambda c: {}, "get", PROGRAMME),
    ("education:cohort_detail", lambda c: {"pk": c.cohort.pk}, "get", EVERYONE),
    ("education:cohort_edit", lambda c: {"pk": c.cohort.pk}, "get", CENTRE_ONLY),
    ("education:enrol", lambda c: {"pk": c.cohort.pk}, "get", MANAGERS),
    # Redirects to the next open cohort's enrolment with the peer worker chosen.
    ("education:enrol_next", lambda c: {"peer_pk": c.peer.pk}, "get", ENROL_NEXT),
    ("education:external_add", lambda c: {"pk": c.cohort.pk}, "get", CENTRE_ONLY),
    (
        "education:session_attendance",
        lambda c: {"pk": c.cohort.pk, "session_pk": c.session.pk},
        "get",
        CENTRE_ONLY,
    ),
    ("education:cohort_report", lambda c: {"pk": c.cohort.pk}, "get", CENTRE_ONLY),
    (
        "education:cohort_export",
        lambda c: {"pk": c.cohort.pk, "file_format": "csv"},
        "get",
        CENTRE_ONLY,
    ),
    ("education:cohort_ics", lambda c: {"pk": c.cohort.pk}, "get", EVERYONE),
    ("education:enrolment_cancel", lambda c: {"pk": c.enrolment.pk}, "post", UNIT_A_POST),
    ("education:enrolment_complete", lambda c: {"pk": c.enrolment.pk}, "get", CENTRE_ONLY),
    ("education:enrolment_mentor", lambda c: {"pk": c.enrolment.pk}, "get", UNIT_A),
    # A peer's courses: whoever sees the peer worker (their leader, mentor, themself).
    ("education:peer_courses", lambda c: {"peer_pk": c.peer.pk}, "get", MENTORSHIP),
    ("education:followup", lambda c: {}, "get", MANAGERS),
    ("education:group_list", lambda c: {}, "get", EVERYONE),
    ("education:group_create", lambda c: {}, "get", PROGRAMME),
    ("education:erfa_attendance", lambda c: {}, "get", MANAGERS),
    ("education:group_detail", lambda c: {"pk": c.group.pk}, "get", EVERYONE),
    ("education:group_edit", lambda c: {"pk": c.group.pk}, "get", CENTRE_ONLY),
    ("education:series_create", lambda c: {"pk": c.group.pk}, "get", CENTRE_ONLY),
    ("education:series_remove", lambda c: {"pk": c.series.pk}, "post", CENTRE_POST),
    ("education:topic_choose", lambda c: {"pk": c.proposal.pk}, "post", CENTRE_POST),
    ("education:meeting_detail", lambda c: {"pk": c.meeting.pk}, "get", EVERYONE),
    # Supervision: its peer workers, their leader, the Centre.
    (
        "education:meeting_detail",
        lambda c: {"pk": c.supervision.pk},
        "get",
        row(LOGIN, 200, 200, 404, 200, 200, 404),
    ),
    ("education:meeting_edit", lambda c: {"pk": c.meeting.pk}, "get", CENTRE_ONLY),
    ("education:meeting_cancel", lambda c: {"pk": c.meeting.pk}, "post", CENTRE_POST),
    ("education:meeting_restore", lambda c: {"pk": c.meeting.pk}, "post", CENTRE_POST),
    ("education:meeting_attendance", lambda c: {"pk": c.meeting.pk}, "get", CENTRE_ONLY),
    ("education:meeting_ics", lambda c: {"pk": c.meeting.pk}, "get", EVERYONE),
    # Supervision is arranged by the Centre, or by a leader for their own peer workers.
    ("education:supervision_create", lambda c: {}, "get", MANAGERS),
    (
        "education:meeting_edit",
        lambda c: {"pk": c.supervision.pk},
        "get",
        row(LOGIN, 200, 404, 404, 200, 200, 404),
    ),
    (
        "education:meeting_attendance",
        lambda c: {"pk": c.supervision.pk},
        "get",
        row(LOGIN, 200, 404, 404, 200, 200, 404),
    ),
    # Moving clashing check-ins: whoever reaches the mentorship.
    ("education:checkin_clashes", lambda c: {"pk": c.mentorship.pk}, "get", MENTORSHIP),
    ("education:calendar", lambda c: {}, "get", EVERYONE),
    # The administrator has no staff record, so no calendar of their own.
    ("education:calendar_subscribe", lambda c: {}, "get", row(LOGIN, 200, 200, 200, 200, 404, 200)),
    # The feed's secret address is the key: no login, so Outlook can fetch it.
    ("education:calendar_feed", lambda c: {"token": c.feed.token}, "get", PUBLIC),
    # Journal: the peer's patient with a final note (version 1) and a draft version 2, a
    # pending referral from the mentor to the peer, and the peer's group note.
    ("journal:caseload", lambda c: {}, "get", PEERS),
    ("journal:patient_create", lambda c: {}, "get", PEERS),
    ("journal:patient_detail", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("journal:patient_edit", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("journal:note_create", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("journal:patient_pdf", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("journal:patient_access_report", lambda c: {"pk": c.patient.pk}, "get", CASELOAD),
    ("journal:note_detail", lambda c: {"pk": c.note.pk}, "get", CASELOAD),
    ("journal:note_write", lambda c: {"pk": c.note.pk}, "get", CASELOAD),
    # Nothing posted: the peer gets the "not saved" fragment, everyone else a 404.
    ("journal:note_autosave", lambda c: {"pk": c.note.pk}, "post", CASELOAD),
    ("journal:note_version", lambda c: {"pk": c.note.pk, "number": 1}, "get", CASELOAD),
    ("journal:note_copy", lambda c: {"pk": c.note.pk}, "get", CASELOAD),
    ("journal:note_pdf", lambda c: {"pk": c.note.pk}, "get", CASELOAD),
    ("journal:note_revise", lambda c: {"pk": c.note.pk}, "post", CASELOAD_POST),
    ("journal:note_discard", lambda c: {"pk": c.note.pk}, "post", CASELOAD_POST),
    ("journal:note_mark_error", lambda c: {"pk": c.note.pk}, "post", CASELOAD_POST),
    ("journal:note_concern", lambda c: {"pk": c.note.pk}, "post", CASELOAD_POST),
    ("journal:referral_list", lambda c: {}, "get", STAFF),
    ("journal:referral_create", lambda c: {}, "get", STAFF),
    # The referral: the mentor who made it and the peer it is for.
    (
        "journal:referral_detail",
        lambda c: {"pk": c.referral.pk},
        "get",
        row(LOGIN, 404, 200, 200, 404, 404, 404),
    ),
    # Only the peer answers; the referring mentor cannot accept on the peer's behalf.
    ("journal:referral_accept", lambda c: {"pk": c.referral.pk}, "post", CASELOAD_POST),
    # Nothing posted: the peer is shown the form again ("give a reason").
    ("journal:referral_decline", lambda c: {"pk": c.referral.pk}, "post", CASELOAD),
    ("journal:group_note_list", lambda c: {}, "get", PEERS),
    ("journal:group_note_create", lambda c: {}, "get", PEERS),
    ("journal:group_note_edit", lambda c: {"pk": c.group_note.pk}, "get", CASELOAD),
    # Everyone reaches some peer workers (the peer: themself), and sees only their figures.
    ("journal:statistics", lambda c: {}, "get", EVERYONE),
    ("journal:statistics_export", lambda c: {"file_format": "csv"}, "get", EVERYONE),
    ("journal:statistics_export", lambda c: {"file_format": "xlsx"}, "get", EVERYONE),
]


def _pattern_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= _pattern_names(entry, prefix)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {entry.pattern}>"
            names.add(f"{namespace}:{name}" if namespace else name)
    return names


def test_every_url_pattern_has_a_row():
    names = {n for n in _pattern_names(get_resolver()) if not n.startswith("admin:")}
    covered = {name for name, *_ in MATRIX}
    assert names - covered == set(), "URL patterns without a row in the permission matrix"
    assert covered - names == set(), "rows for URL patterns that no longer exist"


CASES = [
    pytest.param(name, kwargs, method, role, expected[role], id=f"{name}-{method}-{i}-{role}")
    for i, (name, kwargs, method, expected) in enumerate(MATRIX)
    for role in ROLES
]


@pytest.fixture
def cast(world, db):
    """This module's cast is the world's (its people are logged in once, world_sessions)."""
    return world._cast


@pytest.mark.parametrize(("name", "kwargs", "method", "role", "expected"), CASES)
def test_permission_matrix(world_client_for, world, name, kwargs, method, role, expected):
    url = reverse(name, kwargs=kwargs(world))
    client = world_client_for(role)
    data = {"language": "da", "next": "/"} if name == "set_language" else {}
    response = getattr(client, method)(url, data)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected


def _admin_urls(cast) -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if admin.site._registry[model].has_add_permission(_FakeRequest()):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.first()
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    return urls


class _FakeRequest:
    class user:  # noqa: N801 - a stand-in with every permission
        is_active = True
        is_staff = True
        is_superuser = True

        @staticmethod
        def has_perm(perm, obj=None):
            return True


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_administrators_only(world_client_for, cast, role):
    client = world_client_for(role)
    for url in _admin_urls(cast):
        response = client.get(url)
        if role == "admin":
            assert response.status_code == 200, url
        elif role == "anonymous":
            assert response.status_code == 302, url
            # The admin's own pages send to its login; the rest to the site's login.
            location = response["Location"]
            assert location.startswith((reverse("login"), reverse("admin:login"))), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url


def test_every_model_has_an_admin_page():
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {
            "peerprogram",
            "programme",
            "recruitment",
            "employment",
            "mentoring",
            "education",
            "journal",
            "evaluation",
        }
    ]
    # Patient-note content is kept out of the admin on purpose (tests/journal/test_access.py).
    content = {
        "journal.Patient",
        "journal.Referral",
        "journal.Note",
        "journal.NoteVersion",
        "journal.GroupNote",
        # A file waiting minutes for its own user's confirmation: nobody else's business.
        "peerprogram.CheckedImport",
        # A leader's talks with a peer worker are read by the two of them only.
        "employment.Talk",
        "employment.TalkAction",
        # Survey answers are shown only under the rule of five (evaluation.selectors).
        "evaluation.Response",
        "evaluation.Answer",
        # Outcome answers and consents are patient data, like note content.
        "evaluation.PatientConsent",
        "evaluation.Measurement",
        "evaluation.MeasurementAnswer",
    }
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert [label for label in missing if label not in content] == []


def test_the_admin_never_shows_a_check_in_note():
    from mentoring.admin import CheckInAdmin

    assert "note" not in CheckInAdmin.fields and "note" not in CheckInAdmin.list_display
