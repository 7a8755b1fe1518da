import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerprogram.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the settings) lives as long as the worker:
# moved out of the collector's reach, a full collection no longer walks it (the onboarding
# PDF's layout makes the collector run often; docs/performance.md).
gc.freeze()

# A worker's first requests fill what Django builds lazily and keeps (the URL resolver,
# the compiled templates, the translation catalogues, the models' cached lookups). Frozen
# too after the 1st, 10th, 100th and 1,000th request, the occasional full collection no
# longer walks them: at nation scale it took 40-70 ms, on one request in fifteen
# (docs/performance.md, "Garbage collection").
FREEZE_AFTER = (1, 10, 100, 1000)
_served = 0


def _freeze_what_the_first_requests_built(**kwargs: object) -> None:
    global _served
    _served += 1
    if _served in FREEZE_AFTER:
        gc.collect()  # what the requests left behind goes first
        gc.freeze()
    if _served >= FREEZE_AFTER[-1]:
        request_finished.disconnect(_freeze_what_the_first_requests_built)


request_finished.connect(_freeze_what_the_first_requests_built)
