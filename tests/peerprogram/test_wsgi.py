"""The WSGI module the server loads: the application, and the collector told to leave
everything loaded at start alone."""

import gc
import importlib

from django.core.handlers.wsgi import WSGIHandler


def test_the_wsgi_module_builds_the_application_and_freezes_what_it_loaded():
    gc.unfreeze()
    wsgi = importlib.reload(importlib.import_module("peerprogram.wsgi"))
    try:
        assert isinstance(wsgi.application, WSGIHandler)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
