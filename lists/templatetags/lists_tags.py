from django import template

from ..selectors.pages import work_summary

register = template.Library()


@register.simple_tag
def responsibility_summary(user):
    """Counts of the work waiting for ``user`` (the home page card)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return work_summary(user)
