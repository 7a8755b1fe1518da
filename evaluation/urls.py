from django.urls import path

from . import outcome_views, views

app_name = "evaluation"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("questionnaires/new/", views.questionnaire_edit, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/copy/", views.questionnaire_copy, name="questionnaire_copy"),
    path("rounds/new/", views.round_edit, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/invite/", views.round_invite, name="round_invite"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("rounds/<int:pk>/results/", views.round_results, name="round_results"),
    path("rounds/<int:pk>/results.xlsx", views.round_results_xlsx, name="round_results_xlsx"),
    path("rounds/<int:pk>/results.pdf", views.round_results_pdf, name="round_results_pdf"),
    path("answer/<str:token>/", views.answer, name="answer"),
]

urlpatterns += [
    path("outcomes/", outcome_views.outcomes, name="outcomes"),
    path("outcomes/due/", outcome_views.measures_due, name="measures_due"),
    path("patients/<int:pk>/outcomes/", outcome_views.patient_outcomes, name="patient_outcomes"),
    path("patients/<int:pk>/consent/", outcome_views.consent_edit, name="consent_edit"),
    path("patients/<int:pk>/measure/", outcome_views.measurement_start, name="measurement_start"),
    path("measurements/<int:pk>/", outcome_views.measurement_fill, name="measurement_fill"),
    path(
        "measurements/<int:pk>/done/", outcome_views.measurement_review, name="measurement_review"
    ),
    path(
        "measurements/<int:pk>/discard/",
        outcome_views.measurement_discard,
        name="measurement_discard",
    ),
    path("instruments/new/", outcome_views.instrument_edit, name="instrument_create"),
    path("instruments/<int:pk>/", outcome_views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", outcome_views.instrument_edit, name="instrument_edit"),
    path("peers/<int:peer_pk>/research/", outcome_views.peer_research, name="peer_research"),
    path("research/new/", outcome_views.project_edit, name="project_create"),
    path("research/<int:pk>/", outcome_views.project_detail, name="project_detail"),
    path("research/<int:pk>/edit/", outcome_views.project_edit, name="project_edit"),
    path("research/<int:pk>/export/", outcome_views.project_export, name="project_export"),
]
