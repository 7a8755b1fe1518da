"""`content: "{{ cohort.name|css_string }}"`: text inside a CSS string in a PDF's <style>.

The running headers and footers of the PDFs are CSS strings (`@top-left { content: "…" }`).
HTML escaping is wrong there twice: a <style> element is not HTML-decoded, so "A & B" was
printed as "A &amp; B", and it leaves the backslash alone, so a name ending in one
swallowed the closing quote and WeasyPrint dropped the page's header and footer.

The filter writes every character that HTML escaping would change (& < > " ') as a CSS
escape, so the autoescaping that follows changes nothing and nothing is marked safe."""

from __future__ import annotations

from django import template

register = template.Library()

# Written as CSS hexadecimal escapes: the characters HTML escaping changes, and the line
# breaks and other control characters (a raw line break ends a CSS string).
_AS_HEX = set("&<>\"'") | {chr(n) for n in (*range(0x20), *range(0x7F, 0xA0))}


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char in _AS_HEX:
        return f"\\{ord(char):x} "  # the space ends the escape; CSS drops it
    return char


@register.filter
def css_string(value: object) -> str:
    """The value as the content of a double-quoted CSS string, shown as typed."""
    return "".join(_escape(char) for char in ("" if value is None else str(value)))
