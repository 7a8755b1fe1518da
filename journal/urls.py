from django.urls import path, re_path

from . import views

app_name = "journal"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("patients/<int:pk>/notes.pdf", views.patient_pdf, name="patient_pdf"),
    path("patients/<int:pk>/access.pdf", views.patient_access_report, name="patient_access_report"),
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/write/", views.note_write, name="note_write"),
    path("notes/<int:pk>/autosave/", views.note_autosave, name="note_autosave"),
    path("notes/<int:pk>/versions/<int:number>/", views.note_version, name="note_version"),
    path("notes/<int:pk>/copy/", views.note_copy, name="note_copy"),
    path("notes/<int:pk>/note.pdf", views.note_pdf, name="note_pdf"),
    path("notes/<int:pk>/change/", views.note_revise, name="note_revise"),
    path("notes/<int:pk>/discard/", views.note_discard, name="note_discard"),
    path("notes/<int:pk>/entered-in-error/", views.note_mark_error, name="note_mark_error"),
    path("notes/<int:pk>/concern/", views.note_concern, name="note_concern"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("groups/", views.group_note_list, name="group_note_list"),
    path("groups/new/", views.group_note_create, name="group_note_create"),
    path("groups/<int:pk>/", views.group_note_edit, name="group_note_edit"),
    path("statistics/", views.statistics, name="statistics"),
    re_path(
        r"^statistics/export\.(?P<file_format>csv|xlsx)$",
        views.statistics_export,
        name="statistics_export",
    ),
]
