"""List filters (django-filter) for the programme-wide pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .models import PeerWorker, StaffMember, Unit
from .presenters import unit_options
from .selectors import employed_now_q, has_mentor_now

ALL = _("All")

# The largest id the database holds: ids are 64-bit integers (BigAutoField) on every
# database the product runs on.
MAX_ID = 2**63 - 1


def query_id(value: str | None) -> int | None:
    """The id a query string names (`?unit=12`), or None when the text cannot be one:
    anything but ASCII digits (`str.isdigit` also takes "²", which int() refuses), or a
    number past the largest id (SQLite refused it with an OverflowError, a 500)."""
    text = value or ""
    # Past 20 digits it cannot be an id (and int() refuses more than 4,300 digits).
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 20:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class UnitSelect(forms.Select):
    """The units to filter by, read as (id, name) pairs and written by one template loop
    (peerprogram/_unit_select.html): through the ModelChoiceField's iterator (a model per
    unit) and Django's template for each option, the 600 units of a nation cost some 50 ms
    a page. The same HTML as a Select (no option groups)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> Any:  # the template's safe HTML, as Widget.render returns it
        iterator = self.choices  # the ModelChoiceField's own iterator
        if not isinstance(iterator, ModelChoiceIterator):
            raise TypeError("UnitSelect is the widget of a model choice field")
        field = iterator.field
        units = field.queryset
        if units is None:
            raise TypeError("UnitSelect needs the field's queryset")
        values = self.format_value(value)  # as text; "" when nothing is chosen
        chosen = [i for i in map(query_id, values) if i is not None]
        return render_to_string(
            "peerprogram/_unit_select.html",
            {
                "name": name,
                "attrs": self.build_attrs(self.attrs, attrs),
                "empty_label": field.empty_label,
                "empty_chosen": "" in values,
                "options": unit_options(
                    units.values_list("pk", "name"), chosen[0] if chosen else None
                ),
            },
        )


def unit_filter(filterset: django_filters.FilterSet) -> django_filters.ModelChoiceFilter:
    found = filterset.filters["unit"]
    if not isinstance(found, django_filters.ModelChoiceFilter):
        raise TypeError("unit is a model choice filter")
    return found


def unit_choices(units: QuerySet[Unit] | None) -> QuerySet[Unit]:
    """The units to choose among, without the joins of the list they come from."""
    units = units if units is not None else Unit.objects.all()
    return units.select_related(None)


class PeerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(
        field_name="staff_member__unit",
        label=_("Unit"),
        queryset=Unit.objects.none(),
        empty_label=ALL,
        widget=UnitSelect,
    )
    unit_kind = django_filters.ChoiceFilter(
        field_name="staff_member__unit__kind",
        label=_("Kind of unit"),
        choices=Unit.Kind.choices,
        empty_label=ALL,
    )
    employment_form = django_filters.ChoiceFilter(
        label=_("Employment form"), choices=PeerWorker.EmploymentForm.choices, empty_label=ALL
    )
    under_recommended_hours = django_filters.BooleanFilter(
        label=_("Under 20 hours a week"),
        method="filter_low_hours",
        widget=forms.CheckboxInput,
    )
    without_mentor = django_filters.BooleanFilter(
        label=_("Without a mentor"), method="filter_without_mentor", widget=forms.CheckboxInput
    )
    employed = django_filters.BooleanFilter(
        label=_("Employed now"), method="filter_employed", widget=forms.CheckboxInput
    )

    class Meta:
        model = PeerWorker
        fields = ["q", "unit", "unit_kind", "employment_form"]

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_filter(self).queryset = unit_choices(units)

    def search(self, queryset: QuerySet[PeerWorker], name: str, value: Any) -> QuerySet[PeerWorker]:
        return queryset.filter(
            Q(staff_member__name__icontains=value) | Q(staff_member__email__icontains=value)
        )

    def filter_low_hours(
        self, queryset: QuerySet[PeerWorker], name: str, value: Any
    ) -> QuerySet[PeerWorker]:
        return queryset.filter(hours_per_week__lt=20) if value else queryset

    def filter_employed(
        self, queryset: QuerySet[PeerWorker], name: str, value: Any
    ) -> QuerySet[PeerWorker]:
        return queryset.filter(employed_now_q()) if value else queryset

    def filter_without_mentor(
        self, queryset: QuerySet[Any], name: str, value: Any
    ) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.annotate(has_mentor=has_mentor_now()).filter(has_mentor=False)


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=ALL, widget=UnitSelect
    )
    profession = django_filters.ChoiceFilter(
        label=_("Profession"), choices=StaffMember.Profession.choices, empty_label=ALL
    )

    class Meta:
        model = StaffMember
        fields = ["q", "unit", "profession"]

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_filter(self).queryset = unit_choices(units)

    def search(
        self, queryset: QuerySet[StaffMember], name: str, value: Any
    ) -> QuerySet[StaffMember]:
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Unit.Kind.choices, empty_label=ALL)
    active = django_filters.BooleanFilter(
        label=_("Status"),
        widget=forms.Select(
            choices=[("", _("All")), ("true", _("Active")), ("false", _("Inactive"))]
        ),
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "active"]
