from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("peers/<int:peer_pk>/mentor/", views.mentor_assign, name="mentor_assign"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship_detail"),
    path("mentorships/<int:pk>/calendar.ics", views.mentorship_ics, name="mentorship_ics"),
    path("mentorships/<int:pk>/monthly/", views.mentorship_continue, name="mentorship_continue"),
    path("mentorships/<int:pk>/end/", views.mentorship_end, name="mentorship_end"),
    path("checkins/<int:pk>/held/", views.checkin_quick, name="checkin_quick"),
    path("checkins/<int:pk>/log/", views.checkin_log, name="checkin_log"),
    path("tasks/<int:pk>/", views.task_toggle, name="task_toggle"),
    path("away/", views.away, name="away"),
    path("away/<int:pk>/remove/", views.away_remove, name="away_remove"),
]
