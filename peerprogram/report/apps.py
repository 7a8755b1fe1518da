from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportConfig(AppConfig):
    name = "peerprogram.report"
    label = "report"
    verbose_name = _("Programme report")
