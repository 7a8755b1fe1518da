from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("peers/<int:peer_pk>/mentor/", views.mentor_assign, name="mentor_assign"),
]
