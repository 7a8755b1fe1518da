from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("course/", views.course_detail, name="course_detail"),
    path("course/modules/<int:pk>/", views.module_edit, name="module_edit"),
    path("course/mandatory/new/", views.mandatory_course_edit, name="mandatory_course_create"),
    path("course/mandatory/<int:pk>/", views.mandatory_course_edit, name="mandatory_course_edit"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("peers/<int:peer_pk>/enrol/", views.enrol_next, name="enrol_next"),
    path("cohorts/<int:pk>/external/", views.external_add, name="external_add"),
    path(
        "cohorts/<int:pk>/modules/<int:session_pk>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    path("cohorts/<int:pk>/report/", views.cohort_report, name="cohort_report"),
    path(
        "cohorts/<int:pk>/report.<str:file_format>",
        views.cohort_export,
        name="cohort_export",
    ),
    path("cohorts/<int:pk>/calendar.ics", views.cohort_ics, name="cohort_ics"),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="enrolment_complete"),
    path("enrolments/<int:pk>/mentor/", views.enrolment_mentor, name="enrolment_mentor"),
    path("peers/<int:peer_pk>/courses/", views.peer_courses, name="peer_courses"),
    path("follow-up/", views.followup, name="followup"),
    path("erfa/", views.group_list, name="group_list"),
    path("erfa/new/", views.group_edit, name="group_create"),
    path("erfa/attendance/", views.erfa_attendance, name="erfa_attendance"),
    path("erfa/<int:pk>/", views.group_detail, name="group_detail"),
    path("erfa/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("erfa/<int:pk>/series/", views.series_create, name="series_create"),
    path("series/<int:pk>/remove/", views.series_remove, name="series_remove"),
    path("topics/<int:pk>/choose/", views.topic_choose, name="topic_choose"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/restore/", views.meeting_restore, name="meeting_restore"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("supervision/new/", views.supervision_create, name="supervision_create"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/subscribe/", views.calendar_subscribe, name="calendar_subscribe"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
