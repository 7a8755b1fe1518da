"""Settings for `make bench`: the production settings (DEBUG off) plus the floor view.

The benchmark's child processes run with DJANGO_SETTINGS_MODULE=bench.settings and their
own DATABASE_URL. Production needs SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL once DEBUG is
off; the benchmark supplies harmless values, since it serves no one.
"""

import os

# Measured as served: DEBUG off (cached templates, no query log, the manifest of static files).
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-to-serve-anyone-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("EMAIL_URL", "dummymail://")
# The test client speaks plain HTTP; behind the real proxy HTTPS is already done.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from peerprogram.settings import *  # noqa: E402, F403
from peerprogram.settings import VAR_DIR  # noqa: E402

ROOT_URLCONF = "bench.urls"
# Its own collected static files, so the benchmark never touches a deployment's.
STATIC_ROOT = VAR_DIR / "bench-static"
