"""The error summary at the top of a refused form's page (after GOV.UK's pattern): every
error of every bound form and formset the view handed the template, in the order of the
fields, each linked to its field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    target: str = ""  # the id of the element to go to ("" when no field has it)
    label: str = ""  # the field's label, said before the message


def _target(bound: forms.BoundField) -> str:
    """The element a link to the field should focus: the first choice of a group of radio
    buttons or tick boxes, the first part of a split field, or the field itself."""
    widget = bound.field.widget
    auto_id = bound.auto_id
    if not auto_id:
        return ""
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)):
        return f"{auto_id}_0"
    return auto_id


def _problems_of_form(form: forms.BaseForm) -> list[Problem]:
    found = [Problem(str(error), "") for error in form.non_field_errors()]
    for bound in form:
        if bound.is_hidden:
            found += [Problem(str(error), "") for error in bound.errors]
            continue
        found += [Problem(str(error), _target(bound), str(bound.label)) for error in bound.errors]
    return found


def problems_of(value: Any) -> list[Problem]:
    """The errors of a bound form or formset (nothing for anything else)."""
    if isinstance(value, forms.BaseForm):
        return _problems_of_form(value) if value.is_bound and value.errors else []
    if isinstance(value, BaseFormSet):
        if not value.is_bound or value.is_valid():
            return []
        found = [Problem(str(error), "") for error in value.non_form_errors()]
        for form in value.forms:
            found += _problems_of_form(form)
        return found
    return []


@register.simple_tag(takes_context=True)
def error_problems(context: template.Context) -> list[Problem]:
    """Every error of the forms and formsets in the template's context, each once."""
    found: list[Problem] = []
    seen: set[int] = set()
    for value in context.flatten().values():
        if id(value) in seen:
            continue
        seen.add(id(value))
        for problem in problems_of(value):
            if problem not in found:
                found.append(problem)
    return found
