"""Backup and restore of the whole database (`manage.py backup`, `manage.py restore`). A
top-layer app: its manifest's checksum reads the journal's note versions."""
