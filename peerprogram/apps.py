from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeerprogramConfig(AppConfig):
    name = "peerprogram"
    verbose_name = _("Programme")
