from django.urls import path

from . import views

app_name = "recruitment"

urlpatterns = [
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", views.vacancy_create, name="vacancy_create"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:pk>/edit/", views.vacancy_edit, name="vacancy_edit"),
    path("vacancies/<int:pk>/posting/", views.vacancy_posting, name="vacancy_posting"),
    path("vacancies/<int:pk>/posting.pdf", views.vacancy_posting_pdf, name="vacancy_posting_pdf"),
    path("vacancies/<int:pk>/status/", views.vacancy_status, name="vacancy_status"),
    path("vacancies/<int:pk>/committee/", views.committee_add, name="committee_add"),
    path("committee/<int:pk>/remove/", views.committee_remove, name="committee_remove"),
    path("vacancies/<int:pk>/applicants/", views.applicant_board, name="applicant_board"),
    path("vacancies/<int:pk>/applicants/new/", views.applicant_create, name="applicant_create"),
    path("vacancies/<int:pk>/applicants/import/", views.applicant_import, name="applicant_import"),
    path("applicants/<int:pk>/", views.applicant_detail, name="applicant_detail"),
    path("applicants/<int:pk>/edit/", views.applicant_edit, name="applicant_edit"),
    path(
        "applicants/<int:pk>/questionnaire/",
        views.applicant_questionnaire,
        name="applicant_questionnaire",
    ),
    path("applicants/<int:pk>/decision/", views.applicant_decision, name="applicant_decision"),
    path("applicants/<int:pk>/move/", views.applicant_move, name="applicant_move"),
    path("applicants/<int:pk>/interviews/new/", views.interview_create, name="interview_create"),
    path("interviews/<int:pk>/assessment/", views.assessment_edit, name="assessment_edit"),
    path("applicants/<int:pk>/references/new/", views.reference_create, name="reference_create"),
    path("applicants/<int:pk>/hire/", views.applicant_hire, name="applicant_hire"),
    path("checklists/", views.checklist_overview, name="checklist_overview"),
    path("tasks/", views.delegated_tasks, name="delegated_tasks"),
    path("checklists/summary.pdf", views.onboarding_summary_pdf, name="onboarding_summary_pdf"),
    path("checklists/<int:pk>/", views.checklist, name="checklist"),
    path("checklists/<int:pk>/onboarding.pdf", views.onboarding_pdf, name="onboarding_pdf"),
    path("checklists/<int:pk>/items/new/", views.checklist_item_add, name="checklist_item_add"),
    path(
        "checklist-items/<int:pk>/toggle/",
        views.checklist_item_toggle,
        name="checklist_item_toggle",
    ),
    path("checklist-items/<int:pk>/edit/", views.checklist_item_edit, name="checklist_item_edit"),
    path("peers/<int:peer_pk>/checklist/", views.checklist_start, name="checklist_start"),
    path("templates/posting/", views.posting_template_edit, name="posting_template_edit"),
    path("templates/checklist/", views.checklist_template, name="checklist_template"),
    path(
        "templates/checklist/new/",
        views.checklist_template_item,
        name="checklist_template_item_add",
    ),
    path(
        "templates/checklist/<int:pk>/",
        views.checklist_template_item,
        name="checklist_template_item",
    ),
]
