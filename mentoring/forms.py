from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.forms import DATE_WIDGET
from peerprogram.models import PeerWorker, StaffMember


class MentorAssignForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=StaffMember.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)

    def __init__(self, *args, peer: PeerWorker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = (
            StaffMember.objects.filter(unit_id=peer.staff_member.unit_id, active=True)
            .exclude(pk=peer.staff_member_id)
            .exclude(profession=StaffMember.Profession.PEER)
            .order_by("name")
        )
        self.fields["mentor"].label_from_instance = lambda m: (
            f"{m.name} ({m.get_profession_display().lower()})"
        )
        self.fields["start_date"].initial = max(peer.start_date, timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
