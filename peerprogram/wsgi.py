import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerprogram.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the settings) lives as long as the worker:
# moved out of the collector's reach, a full collection no longer walks it (the onboarding
# PDF's layout makes the collector run often; docs/performance.md).
gc.freeze()
