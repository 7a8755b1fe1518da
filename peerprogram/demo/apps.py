from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "peerprogram.demo"
    label = "demo"
    verbose_name = "Demo and scale data"
