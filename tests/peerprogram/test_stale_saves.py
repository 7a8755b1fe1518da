"""Stale saves: every page that edits a stored record refuses a save made on a form opened
before someone else saved the same record, and keeps what was typed.

The walk opens each edit page of the project (every URL pattern named `…_edit` or
`…_change`, and the pages found to edit a stored record under another name) as a role the
permission matrix lets in, with the matrix's world. Two people open the same form: the
first saves (the row moves on to a new version), then the second posts the form as they
opened it, with a change of their own. The second must get the form back (200) with the
concurrency error, and nothing stored may change. An edit page without a version on its
form fails by name; pages where nobody else can write the same record are listed in
EXEMPT with the reason.
"""

from html import unescape
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.forms import BaseForm, BaseFormSet, BaseModelForm, BaseModelFormSet
from django.urls import get_resolver, reverse
from django.utils.translation import override

from peerprogram.models import AuditEvent
from peerprogram.services import ConcurrentEditError

from .test_permissions import MATRIX, _pattern_names

EDIT_SUFFIXES = ("_edit", "_change")

# Pages that edit a stored record under another name (found by
# test_every_page_that_edits_a_stored_record_is_walked), with the URL patterns their forms
# post to (None: the page itself).
ALSO_WALKED: dict[str, tuple[str | None, ...]] = {
    "programme:my_emails": (None,),
    "recruitment:vacancy_posting": (None,),
    "recruitment:checklist_template_item": (None,),
    "education:peer_courses": (None,),
    "recruitment:applicant_detail": (
        "recruitment:applicant_questionnaire",
        "recruitment:applicant_decision",
    ),
}

# Edit pages with no version on purpose: nobody else can write what they change.
EXEMPT = {
    "password_change": "Django's own page: the user's password, which only they change and "
    "which asks for the old password.",
    "recruitment:assessment_edit": "A committee member's own assessment of an interview: "
    "only that member writes it (one per member and interview).",
    "employment:action_edit": "Only the unit's leader changes an agreed action (a unit has one "
    "leader), and only the changed fields are written, so the peer worker ticking it done at "
    "the same time is kept.",
    "employment:rhythm_edit": "Only the unit's leader sets a peer worker's follow-up rhythm "
    "(a unit has one leader).",
    "employment:talk_change": "Only the unit's leader moves or cancels the next talk (a unit "
    "has one leader).",
}

# Edit pages that should refuse a stale save and do not yet. Each is walked and expected to
# fail (strictly: once its app carries the version, the entry must go).
KNOWN_GAPS: dict[str, str] = {}

# Whom the walk opens a page as: the first of these the matrix lets in.
ROLE_ORDER = ["centre", "leader", "peer", "mentor", "admin", "outsider"]

NOT_SENT = {"submit", "button", "reset", "image", "file"}
# The kinds of field a change of one's own is typed into.
MARKED = {"text", "textarea"}


def _is_edit_page(name: str) -> bool:
    return name.endswith(EDIT_SUFFIXES) or name in ALSO_WALKED


def _edit_page_names() -> list[str]:
    names = {n for n in _pattern_names(get_resolver()) if not n.startswith("admin:")}
    return sorted(n for n in names if _is_edit_page(n))


def _pages() -> list:
    """One case per matrix row of an edit page opened with GET and per form it posts:
    (name, kwargs, role, the URL pattern the form posts to)."""
    cases = []
    for name, kwargs, method, expected in MATRIX:
        if method != "get" or not _is_edit_page(name):
            continue
        marks = []
        if name in KNOWN_GAPS:
            marks.append(
                pytest.mark.xfail(reason=KNOWN_GAPS[name], raises=AssertionError, strict=True)
            )
        for target in ALSO_WALKED.get(name, (None,)):
            label = f"{name}-{target}" if target else name
            # A pattern with two rows (a meeting and a supervision): the second is "…#2".
            same = sum(1 for case in cases if case.id.split("#")[0] == label)
            label += f"#{same + 1}" if same else ""
            role = _role(expected, target)
            cases.append(pytest.param(name, kwargs, role, target, id=label, marks=marks))
    return cases


def _role(expected: dict, target: str | None) -> str | None:
    """The first role (ROLE_ORDER) that opens the page and, for a form posted elsewhere,
    may post it too (the matrix's row for that pattern)."""
    allowed = [r for r in ROLE_ORDER if expected[r] == 200]
    if target is not None:
        posting = [e for n, _k, m, e in MATRIX if n == target and m == "post"]
        allowed = [r for r in allowed if all(e[r] in (200, 302) for e in posting)]
    return allowed[0] if allowed else None


PAGES = _pages()


# Reading a page's form as the browser would send it -----------------------------------


class _Form:
    def __init__(self, action: str | None, method: str) -> None:
        self.action = action
        self.method = method
        self.fields: list[tuple[str, str, str]] = []  # (name, value, kind)


class _Forms(HTMLParser):
    """The forms of a page, each with the values a browser would post for it as it stands
    (no button pressed: submitted with Enter)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._in_option = False
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = _Form(a.get("action"), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in NOT_SENT:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on"), kind))
                return
            self._form.fields.append((name, a.get("value", ""), kind))
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._close_option()  # an <option> may be left unclosed
            self._option = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
            self._in_option = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._in_option:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # The newline right after <textarea> is not part of the value (HTML's rule).
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._form.fields.append((name, text, "textarea"))
            self._textarea = None
        elif tag == "option" and self._select is not None:
            self._close_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._close_option()
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a browser sends the first option
            for value in chosen if multiple else chosen[-1:]:
                self._form.fields.append((name, value, "select"))
            self._select = None

    def _close_option(self) -> None:
        if self._select is not None and self._in_option:
            value = self._option if self._option is not None else self._option_text.strip()
            self._select[2].append((value, self._option_selected))
        self._in_option = False
        self._option = None
        self._option_selected = False
        self._option_text = ""


def _page_form(html: str, page: str, url: str) -> _Form:
    """The form on `page` that posts to `url` (the one with most fields if several do)."""
    parser = _Forms()
    parser.feed(html)
    targets = {url} if url != page else {"", page}
    found = [f for f in parser.forms if f.method == "post" and (f.action or "") in targets]
    assert found, f"{page}: no form that posts to {url}"
    return max(found, key=lambda f: len(f.fields))


def _data(form: _Form, mark: str) -> tuple[dict[str, list[str]], str | None]:
    """The form's values, with `mark` added to its first text field (a change of one's
    own), and that field's new value (None: the form has no text field)."""
    data: dict[str, list[str]] = {}
    typed = None
    for name, value, kind in form.fields:
        if typed is None and kind in MARKED:
            value = typed = f"{value} {mark}".strip()
        data.setdefault(name, []).append(value)
    return data, typed


# What is stored --------------------------------------------------------------------------


def _versioned_models() -> list[type[models.Model]]:
    """The models whose rows count their saves (VersionedModel, or a `version` of their own)."""
    return [
        model
        for model in apps.get_models()
        if any(field.name == "version" for field in model._meta.concrete_fields)
    ]


def _stored() -> dict[str, list[dict]]:
    """Every row of every model that carries a version, and the audit trail."""
    rows = {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in VERSIONED}
    rows["audit"] = list(AuditEvent.objects.order_by("pk").values("pk"))
    return rows


VERSIONED = _versioned_models()


# The tests -------------------------------------------------------------------------------


@pytest.fixture
def cast(world, db):
    """This module's cast is the world's (client_for logs its people in)."""
    return world._cast


def test_every_edit_page_is_walked():
    """A new edit page needs a row in the permission matrix, so it is walked here."""
    walked = {case.values[0] for case in PAGES}
    unwalked = set(_edit_page_names()) - walked - set(EXEMPT)
    assert unwalked == set(), "edit pages without a GET row in the permission matrix"
    listed = set(EXEMPT) | set(KNOWN_GAPS)
    assert listed <= set(_edit_page_names()), "entries for pages that no longer exist"


@pytest.mark.parametrize(("name", "kwargs", "role", "target"), PAGES)
def test_a_stale_save_is_refused_and_nothing_is_overwritten(
    client_for, world, name, kwargs, role, target
):
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    assert role is not None, f"{name}: no role of the matrix may open it"
    page = reverse(name, kwargs=kwargs(world))
    url = reverse(target, kwargs=kwargs(world)) if target else page
    client = client_for(role)
    opened = client.get(page)
    assert opened.status_code == 200, (name, opened.status_code)
    form = _page_form(opened.content.decode(), page, url)
    assert any(field.endswith("version") for field, *_rest in form.fields), (
        f"{name}: the form carries no version, so a stale save would overwrite silently. "
        "Give the model a version (VersionedModel) and the form a version field "
        "(VersionedFormMixin.add_version_field), and save through save_versioned, or list "
        "the page in EXEMPT with the reason."
    )

    # Someone else saves the same form first.
    first = client.post(url, _data(form, "A")[0])
    assert first.status_code == 302, (name, _errors(first))
    stored = _stored()

    # Then the form opened before that is saved, with a change of its own.
    data, typed = _data(form, "B")
    second = client.post(url, data)
    assert second.status_code == 200, f"{name}: the stale save answered {second.status_code}"
    shown = unescape(second.content.decode())
    with override("da"):
        message = str(ConcurrentEditError.message)
    assert message in shown, f"{name}: no concurrency error shown"
    assert typed is None or typed in shown, f"{name}: what was typed is not in the form"
    assert _stored() == stored, f"{name}: the stale save changed what is stored"


def _context(response) -> dict:
    """The page's template context, from whichever templates it rendered."""
    context = response.context
    if context is None:
        return {}
    # A ContextList (several templates) iterates over contexts, not keys: ask for the keys.
    names = context.keys()
    return {key: context[key] for key in names}


def _errors(response) -> dict:
    """The errors of the forms on a page, to say why a save was not taken."""
    return {
        key: value.errors
        for key, value in _context(response).items()
        if isinstance(value, (BaseForm, BaseFormSet)) and value.errors
    }


def test_every_page_that_edits_a_stored_record_is_walked(client_for, world):
    """A page named otherwise that shows a model form on a stored record is an edit page
    too: it must be walked (ALSO_WALKED) or exempt."""
    found = set()
    for name, kwargs, method, expected in MATRIX:
        if method != "get" or _is_edit_page(name) or name in EXEMPT:
            continue
        role = next((r for r in ROLE_ORDER if expected[r] == 200), None)
        if role is None:
            continue
        response = client_for(role).get(reverse(name, kwargs=kwargs(world)))
        if response.status_code != 200:
            continue
        for value in _context(response).values():
            if isinstance(value, BaseModelForm) and value.instance.pk is not None:
                found.add(name)
            if isinstance(value, BaseModelFormSet) and value.get_queryset().exists():
                found.add(name)
    assert found == set(), "pages that edit a stored record without being walked"
