from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "peerprogram.backup"
    label = "backup"
    verbose_name = "Backup and restore"
