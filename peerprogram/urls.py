from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import password_reset, sso, views
from .health import HealthView
from .home import views as home_views
from .report import views as report_views


class ImportKindConverter:
    """The lists that can be imported and exported."""

    regex = "units|staff"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ImportKindConverter, "datakind")

# A lost database answers 503 with a page of its own (views.server_error); a request
# refused as bad (a session that could not be saved, a bad header) gets a Danish page.
handler400 = "peerprogram.views.bad_request"
handler500 = "peerprogram.views.server_error"

programme_patterns = [
    path("", home_views.home, name="home"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("peers/", views.peer_list, name="peer_list"),
    path("peers/new/", views.peer_create, name="peer_create"),
    path("peers/<int:pk>/", home_views.peer_detail, name="peer_detail"),
    path("peers/<int:pk>/edit/", views.peer_edit, name="peer_edit"),
    path("report/", report_views.programme_report, name="programme_report"),
    path("report.pdf", report_views.programme_report_pdf, name="programme_report_pdf"),
    path("report.xlsx", report_views.programme_report_xlsx, name="programme_report_xlsx"),
    path("units/<int:pk>/report/", report_views.unit_report, name="unit_report"),
    path("units/<int:pk>/report.pdf", report_views.unit_report_pdf, name="unit_report_pdf"),
    path("units/<int:pk>/report.xlsx", report_views.unit_report_xlsx, name="unit_report_xlsx"),
    path("<datakind:kind>/import/", views.data_import, name="data_import"),
    path("<datakind:kind>/export/", views.data_export, name="data_export"),
]

urlpatterns = [
    # For load balancers and monitoring: no login (peerprogram.health).
    path("health/", login_not_required(HealthView.as_view()), name="health"),
    path("", include((programme_patterns, "peerprogram"))),
    path("programme/", include("programme.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("recruitment/", include("recruitment.urls")),
    path("employment/", include("employment.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("education/", include("education.urls")),
    path("journal/", include("journal.urls")),
    # Before Django's own: the login page with single sign-on, the logout that also ends the
    # sign-on, and the sign-on's own pages (peerprogram.sso).
    path("accounts/login/", sso.LoginView.as_view(), name="login"),
    path("accounts/logout/", sso.logout, name="logout"),
    path("accounts/sso/", sso.StartView.as_view(), name="sso_login"),
    path("accounts/sso/callback/", sso.CallbackView.as_view(), name="sso_callback"),
    path("accounts/sso/refused/", sso.refused, name="sso_refused"),
    # Before Django's own: the reset page that limits its mails (peerprogram.password_reset).
    path(
        "accounts/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(require_POST(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
]
