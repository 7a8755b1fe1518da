from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerprogram import access
from peerprogram.views import _apply_service

from . import selectors, services
from .forms import MentorAssignForm


@require_http_methods(["GET", "POST"])
def mentor_assign(request: HttpRequest, peer_pk: int) -> HttpResponse:
    """The leader appoints a mentor from the peer worker's unit."""
    peer = access.get_peer_for_edit(request.user, peer_pk)
    form = MentorAssignForm(request.POST or None, peer=peer)
    if request.method == "POST" and form.is_valid():
        mentorship = _apply_service(
            form,
            lambda: services.mentor_assign(peer=peer, by=request.user, **form.cleaned_data),
        )
        if mentorship:
            messages.success(
                request,
                _("%(mentor)s is now mentor for %(peer)s.")
                % {"mentor": mentorship.mentor.name, "peer": peer.name},
            )
            return redirect(peer)
    return render(
        request,
        "mentoring/mentor_assign.html",
        {"form": form, "peer": peer, "current": selectors.current_mentor_of(peer)},
    )
