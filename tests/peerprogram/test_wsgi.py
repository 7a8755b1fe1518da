"""The WSGI module the server loads: the application, and the collector told to leave
everything loaded at start alone."""

import gc
import importlib

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished


def test_the_wsgi_module_builds_the_application_and_freezes_what_it_loaded():
    gc.unfreeze()
    wsgi = importlib.reload(importlib.import_module("peerprogram.wsgi"))
    try:
        assert isinstance(wsgi.application, WSGIHandler)
        assert gc.get_freeze_count() > 0
    finally:
        request_finished.disconnect(wsgi._freeze_what_the_first_requests_built)
        gc.unfreeze()


def test_what_the_first_requests_build_is_frozen_too_and_then_the_counting_stops():
    gc.unfreeze()
    wsgi = importlib.reload(importlib.import_module("peerprogram.wsgi"))
    freeze = wsgi._freeze_what_the_first_requests_built
    try:
        # The module listens for the end of each request.
        assert request_finished.disconnect(freeze) is True
        request_finished.connect(freeze)
        at_start = gc.get_freeze_count()
        built = [[n] for n in range(5_000)]  # what a first request leaves behind to keep
        freeze()
        assert gc.get_freeze_count() >= at_start + len(built)
        for _ in range(wsgi.FREEZE_AFTER[-1] - 1):
            freeze()
        assert wsgi._served == wsgi.FREEZE_AFTER[-1]
        # After the last freeze it no longer listens.
        assert request_finished.disconnect(freeze) is False
    finally:
        request_finished.disconnect(freeze)
        gc.unfreeze()
