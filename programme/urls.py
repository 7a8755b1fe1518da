from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health.xlsx", views.health_xlsx, name="health_xlsx"),
    path("health.pdf", views.health_pdf, name="health_pdf"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("me/emails/", views.my_emails, name="my_emails"),
    path(
        "peers/<int:peer_pk>/signals/<str:kind>/acknowledge/", views.signal_ack, name="signal_ack"
    ),
]
