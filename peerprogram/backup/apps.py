from django.apps import AppConfig
from django.core import checks


class BackupConfig(AppConfig):
    name = "peerprogram.backup"
    label = "backup"
    verbose_name = "Backup and restore"

    def ready(self) -> None:
        from peerprogram.backup.checks import backup_settings

        checks.register(backup_settings)
