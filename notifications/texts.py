"""Rendering a message from its event's registered text (see ``notifications.registry``).

Chinese by default (the site language), translatable. The event ``context`` carries the strings
(title, unit, due_at, url, reason …); a missing key renders as an empty string.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils import translation

from . import registry


def render_text(name: str, context: dict, *, language: str | None = None) -> str:
    """The message for event ``name`` in ``language`` (default: the site language).
    ``UnknownEvent`` if no app registered ``name``."""
    template = registry.event(name).template(context)
    values = defaultdict(str, {k: "" if v is None else v for k, v in context.items()})
    values["event"] = name
    with translation.override(language or settings.LANGUAGE_CODE):
        return " ".join((str(template) % values).split())


def absolute_link(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url
