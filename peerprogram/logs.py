"""Logging: one line per event, readable text in development and JSON lines in production
(LOG_FORMAT=json), each with the request's id, the user's id and the path; one line per
request with its status and duration (peerprogram.requests); no traceback for an ordinary
403 or 404; failed logins with a keyed hash of the username, never the name itself; and
optional error reporting to Sentry (SENTRY_DSN) without personal data."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from pythonjsonlogger.core import RESERVED_ATTRS

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")
path: contextvars.ContextVar[str] = contextvars.ContextVar("path", default="-")

# A request id from the load balancer is kept when it looks like one (letters, digits,
# dashes; at most 64), so one request can be followed from HAProxy to the app.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The health checks of a load balancer, every few seconds: not worth a line each.
_QUIET_PATHS = ("/health/", "/static/")

requests_log = logging.getLogger("peerprogram.requests")


class RequestContext(logging.Filter):
    """Puts the current request's id, user id and path on every record (a dash outside a
    request: the daily commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx after the middleware has returned: its record carries
        # the request itself, which carries the id.
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and hasattr(request, "request_id"):
            record.request_id = request.request_id
            record.path = logged_path(request)
        for name, var in (("request_id", request_id), ("user_id", user_id), ("path", path)):
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


class NoClientErrorTraceback(logging.Filter):
    """django.request logs a refused request (403 from PermissionDenied, 404) with the
    exception's traceback: for an ordinary refusal the one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def _user_of(request: HttpRequest) -> str:
    """The user's id if the request already read the user: never a new query (the database
    may be what failed)."""
    user = getattr(request, "_cached_user", None)  # set by django.contrib.auth's get_user
    return str(user.pk) if user is not None and user.is_authenticated else "-"


def logged_path(request: HttpRequest) -> str:
    """The URL pattern the request matched (`education/calendar/feed/<str:token>.ics`), not
    the path: secret tokens in addresses (calendar feeds, password-reset links) and ids stay
    out of the log. An address that matched nothing is logged as it came."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else request.path


def request_log(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Middleware: the request's id (X-Request-ID from the proxy, or a new one), on every
    log line of the request and on the response; then one line for the request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        tokens = [request_id.set(rid), path.set(request.path), user_id.set("-")]
        started = time.monotonic()
        try:
            response = get_response(request)
            uid = _user_of(request)
            user_id.set(uid)
            duration = round((time.monotonic() - started) * 1000, 1)
            level = logging.DEBUG if request.path.startswith(_QUIET_PATHS) else logging.INFO
            shown = logged_path(request)
            path.set(shown)
            requests_log.log(
                level,
                "%s %s %s %.0f ms",
                request.method,
                shown,
                response.status_code,
                duration,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": duration,
                    "user_id": uid,
                },
            )
            response["X-Request-ID"] = rid
            return response
        finally:
            for var, token in zip((request_id, path, user_id), tokens, strict=True):
                var.reset(token)

    return middleware


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's own, or behind PROXY_COUNT proxies the entry
    they appended to X-Forwarded-For (counted from the right: anything further left was
    written by the client and could be forged)."""
    from django.conf import settings

    count = settings.PROXY_COUNT
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def username_hash(username: str) -> str:
    """A failed login's username, keyed with SECRET_KEY: the same name gives the same hash
    on every server (so attempts can be followed), and a list of likely names cannot be
    tried against the log without the key."""
    return salted_hmac("peerprogram.logs.username", username.strip().lower()).hexdigest()[:16]


def client_str(
    username: str | None, ip_address: str, user_agent: str, path_info: Any, request: Any
) -> str:
    """AXES_CLIENT_STR_CALLABLE: how django-axes names a client in its failed-login and
    lock-out lines: the hashed username and the client's address."""
    hashed = username_hash(username) if username else "-"
    return f"{{username_hash: {hashed}, ip_address: {ip_address}}}"


def start_sentry(dsn: str, environment: str, release: str = "") -> None:
    """Error reporting to Sentry: exceptions with their stack, but no request bodies, no
    local variables (they may hold patient text), and no cookies or user data (the
    client's default: personal data is sent only when asked for)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
    )


def config(log_format: str, requests: bool, axes_level: str) -> dict[str, Any]:
    """settings.LOGGING: JSON lines (python-json-logger) or readable text."""
    fields = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user_id)s %(path)s %(message)s"
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": fields,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Django's records carry the request: its text has the query string.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
            # ISO 8601 with the offset: a log collector places it without guessing.
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "timestamp": False,
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {"()": "peerprogram.logs.RequestContext"},
            "no_client_error_traceback": {"()": "peerprogram.logs.NoClientErrorTraceback"},
        },
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "text",
                "filters": ["request_context", "no_client_error_traceback"],
            }
        },
        # Server errors (500) and warnings reach the console, and so the service's log.
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            # Django's own console handler (DEBUG only) would print each warning a second
            # time, without the request id: the root's handler writes them once.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # Failed and locked-out logins are written here by django-axes (client_str).
            "axes": {"level": axes_level},
            "peerprogram.requests": {"level": "INFO" if requests else "WARNING"},
        },
    }
