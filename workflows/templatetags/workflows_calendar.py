from django import template

from workflows.calendar import calendar_warnings as _calendar_warnings

register = template.Library()


@register.simple_tag
def calendar_warnings() -> list[str]:
    """Years the holiday library does not cover (Monday–Friday fallback), for admins' pages."""
    return _calendar_warnings()
