from django.urls import path

from . import views

app_name = "employment"

urlpatterns = [
    path("template/", views.template_edit, name="template_edit"),
    path("retention/", views.retention, name="retention"),
    path("peers/<int:peer_pk>/function/", views.function_page, name="function_page"),
    path("peers/<int:peer_pk>/function/new/", views.description_create, name="description_create"),
    path("function/<int:pk>/", views.description_detail, name="description_detail"),
    path("function/<int:pk>/edit/", views.description_edit, name="description_edit"),
    path("function/<int:pk>/agree/", views.description_agree, name="description_agree"),
    path("function/<int:pk>/discard/", views.description_discard, name="description_discard"),
    path("function/<int:pk>/pdf/", views.description_pdf, name="description_pdf"),
    path("peers/<int:peer_pk>/follow-up/", views.follow_up, name="follow_up"),
    path("peers/<int:peer_pk>/follow-up/record/", views.talk_record, name="talk_record"),
    path("peers/<int:peer_pk>/follow-up/change/", views.talk_change, name="talk_change"),
    path("peers/<int:peer_pk>/follow-up/rhythm/", views.rhythm_edit, name="rhythm_edit"),
    path("talks/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("peers/<int:peer_pk>/outside-tasks/", views.outside_tasks, name="outside_tasks"),
    path("outside-tasks/<int:pk>/delete/", views.outside_task_delete, name="outside_task_delete"),
    path("actions/<int:pk>/toggle/", views.action_toggle, name="action_toggle"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("questions/", views.questions, name="questions"),
    path("questions/edit/", views.questions_edit, name="questions_edit"),
    path("questions/pdf/", views.questions_pdf, name="questions_pdf"),
    path("peers/<int:peer_pk>/presentation/", views.presentation_edit, name="presentation_edit"),
    path("peers/<int:peer_pk>/leaflet/", views.leaflet, name="leaflet"),
    path("peers/<int:peer_pk>/leaflet/make/", views.leaflet_make, name="leaflet_make"),
    path("peers/<int:peer_pk>/leaflet/pdf/", views.leaflet_pdf, name="leaflet_pdf"),
]
