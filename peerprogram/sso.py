"""Single sign-on with the region's identity provider (OpenID Connect), and the login page.

mozilla-django-oidc does the protocol: the authorization code flow with state, nonce and PKCE,
the token exchange and the ID token's signature. This module adds what the project needs:

- the provider's endpoints come from the issuer's discovery document (the library has no
  discovery), fetched on first use and kept in Django's cache for an hour;
- a person is let in only as the login of their own active staff record, found by the e-mail
  address in the claim OIDC_MATCH_CLAIM; no login is ever created, and anyone else is shown a
  page saying whom to ask;
- LOCAL_LOGIN=false leaves single sign-on as the only way in; logging out also ends the
  session at the provider when it says how (end_session_endpoint).

Settings: OIDC_ISSUER (off when empty), OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET,
OIDC_MATCH_CLAIM, LOCAL_LOGIN and the library's OIDC_* settings (peerprogram/settings.py).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import View
from mozilla_django_oidc.auth import (  # type: ignore[import-untyped]
    OIDCAuthenticationBackend,
)
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .models import SignOn, StaffMember

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 60 * 60
# Why a sign-on was refused, for the page that says so (kept in the session until shown).
REFUSAL_KEY = "sso_refused"
UNKNOWN = "unknown"  # no staff record with that e-mail, or one without a login
INACTIVE = "inactive"  # the staff record or its login is closed
FAILED = "failed"  # anything else: cancelled, the provider not answering, a bad answer
BOUND = "bound"  # the staff record's login is bound to another identity at the provider


class ProviderUnavailable(Exception):
    """The issuer's discovery document could not be read, or names another issuer."""


def provider_configuration() -> dict[str, str]:
    """The endpoints of OIDC_ISSUER, from its discovery document (cached for an hour)."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    config: dict[str, str] | None = cache.get(key)
    if config is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration",
                timeout=settings.OIDC_TIMEOUT,
                verify=getattr(settings, "OIDC_VERIFY_SSL", True),
                proxies=getattr(settings, "OIDC_PROXY", None),
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(f"No discovery document from {issuer}: {error}") from error
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ProviderUnavailable(f"The discovery document of {issuer} names another issuer.")
        config = {
            name: document[name]
            for name in (
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "userinfo_endpoint",
                "jwks_uri",
                "end_session_endpoint",
            )
            if name in document
        }
        cache.set(key, config, DISCOVERY_SECONDS)
    return config


def _refuse(request: HttpRequest, reason: str, email: str = "") -> None:
    # The address goes to the person's own page, not to the log.
    logger.info("Single sign-on refused: %s.", reason)
    request.session[REFUSAL_KEY] = {"reason": reason, "email": email}


def not_a_password_login(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """For django-axes (AXES_WHITELIST_CALLABLE): a sign-on has no password to guess, and a
    refused one has no username, so counting it would lock out a whole hospital's address."""
    match = request.resolver_match
    return match is not None and match.url_name == "sso_callback"


class StaffBackend(OIDCAuthenticationBackend):
    """Lets in the person the provider vouches for as the login of their active staff record,
    matched by the e-mail in the claim OIDC_MATCH_CLAIM. Never creates a login."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend for each request of a signed-in user: nothing here may ask
        # the provider (the library's own __init__ reads the endpoints).
        self.UserModel = User

    # The library's names, read when a sign-on is handled.
    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider_configuration()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:
        return provider_configuration().get("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider_configuration()["jwks_uri"]

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(settings.OIDC_RP_CLIENT_ID)

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return str(settings.OIDC_RP_CLIENT_SECRET)

    @property
    def OIDC_RP_SIGN_ALGO(self) -> str:
        return str(settings.OIDC_RP_SIGN_ALGO)

    OIDC_RP_IDP_SIGN_KEY = None  # the keys come from jwks_uri

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """The verified ID token's claims, with the userinfo endpoint's when the token lacks
        the matching claim (ADFS puts it in the token; Azure AD and others may not)."""
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if (
            payload.get("iss") != provider_configuration()["issuer"]
            or self.OIDC_RP_CLIENT_ID not in audiences
        ):
            raise SuspiciousOperation("The ID token is from another issuer or for another client.")
        if settings.OIDC_MATCH_CLAIM in payload or not self.OIDC_OP_USER_ENDPOINT:
            return payload
        claims: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another person.")
        return {**payload, **claims}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        value = claims.get(settings.OIDC_MATCH_CLAIM)
        # An address the provider says it has not verified is not the person's.
        unverified = claims.get("email_verified") in (False, "false")
        return isinstance(value, str) and "@" in value and not unverified

    def filter_users_by_claims(self, claims: dict[str, Any]) -> list[User]:
        """The login bound to the provider's subject (`sub`); at a first sign-on, the login
        of the active staff record with the claimed address, which is then bound to the
        subject. So an address typed onto another person's staff record (a leader may edit
        their unit's records) never opens that person's login once they have signed on,
        and a login bound to one identity never opens for another."""
        email = str(claims[settings.OIDC_MATCH_CLAIM]).strip()
        subject = str(claims.get("sub") or "")
        if not subject:
            _refuse(self.request, FAILED, email)
            return []
        issuer = str(settings.OIDC_ISSUER)
        bound = (
            SignOn.objects.select_related("user__staff_member")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if bound is not None:
            staff = getattr(bound.user, "staff_member", None)
            if staff is None or not (staff.active and bound.user.is_active):
                _refuse(self.request, INACTIVE, email)
                return []
            return [bound.user]
        staff = StaffMember.objects.select_related("user").filter(email__iexact=email).first()
        if staff is None or staff.user is None:
            _refuse(self.request, UNKNOWN, email)
            return []
        if not (staff.active and staff.user.is_active):
            _refuse(self.request, INACTIVE, email)
            return []
        try:
            with transaction.atomic():
                SignOn.objects.create(user=staff.user, issuer=issuer, subject=subject)
        except IntegrityError:
            # The same person signing on twice at once bound it a moment ago: that is fine.
            if SignOn.objects.filter(user=staff.user, issuer=issuer, subject=subject).exists():
                return [staff.user]
            logger.warning("Single sign-on refused: the login is bound to another identity.")
            _refuse(self.request, BOUND, email)
            return []
        return [staff.user]

    def create_user(self, claims: dict[str, Any]) -> None:
        """Never: a login comes with a staff record, given by the leader or the Centre."""
        return None


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page (state, nonce and PKCE kept in the
    session); `next` is where to land afterwards."""

    def __init__(self, **kwargs: Any) -> None:
        # The library's __init__ reads the endpoint on every request, even with SSO off.
        View.__init__(self, **kwargs)

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:
        return provider_configuration()["authorization_endpoint"]

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(settings.OIDC_RP_CLIENT_ID)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ISSUER:
            raise Http404
        try:
            provider_configuration()
        except ProviderUnavailable as error:
            logger.warning("Single sign-on not started: %s", error)
            _refuse(request, FAILED)
            return redirect("sso_refused")
        response: HttpResponse = super().get(request)
        return response


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the person in, or shows the page that
    says why not."""

    @property
    def failure_url(self) -> str:
        return reverse("sso_refused")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ISSUER:
            raise Http404
        try:
            response: HttpResponse = super().get(request)
        except (requests.RequestException, ProviderUnavailable, SuspiciousOperation) as error:
            # The provider not answering, or a stale or replayed answer (the back button).
            logger.warning("Single sign-on failed: %s", error)
            return HttpResponseRedirect(self.failure_url)
        return response


@login_not_required
@require_GET
def refused(request: HttpRequest) -> HttpResponse:
    """Why the sign-on did not let the person in, and whom to ask."""
    refusal = request.session.pop(REFUSAL_KEY, None) or {}
    return render(
        request,
        "registration/sso_refused.html",
        {"reason": refusal.get("reason", FAILED), "email": refusal.get("email", "")},
    )


class LoginView(auth_views.LoginView):
    """Django's login page, with the button for single sign-on when OIDC_ISSUER is set; the
    password form only while LOCAL_LOGIN is on."""

    # Django's form view would take a PUT as a POST.
    http_method_names = ["get", "head", "post", "options"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso"] = bool(settings.OIDC_ISSUER)
        context["local_login"] = settings.LOCAL_LOGIN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.LOCAL_LOGIN:
            return super().post(request, *args, **kwargs)
        # No password is even looked at.
        return self.render_to_response(self.get_context_data(password_refused=True), status=403)


def _end_session_url(request: HttpRequest, id_token: str) -> str | None:
    """The provider's logout address for this sign-on, if it has one (end_session_endpoint)."""
    if not settings.OIDC_ISSUER:
        return None
    try:
        endpoint = provider_configuration().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the session here; after a single sign-on, also at the provider."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    end_session = _end_session_url(request, id_token) if id_token else None
    return HttpResponseRedirect(end_session or resolve_url(settings.LOGOUT_REDIRECT_URL))
