from django.conf import settings
from django.http import HttpRequest

from .access import get_actor


def roles(request: HttpRequest) -> dict:
    """The current user's roles, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # "Change password" only while passwords are in use (LOCAL_LOGIN).
    return {"actor": get_actor(user), "local_login": settings.LOCAL_LOGIN}
