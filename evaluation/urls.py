from django.urls import path

from . import views

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
