"""One inbox: every step waiting on a user, gathered from the providers the domain registers.

Domain apps register one provider per subject type (``register_inbox_provider`` from their
AppConfig.ready()); the engine never imports the domain, the way the sweep's targets work.
A provider returns plain dicts, scoped to the user's township, in a bounded number of queries
(one or two, never one per row)::

    {"subject_type", "subject_id", "title", "action", "action_label", "due_at", "url"}

Activities and findings join by registering providers of their own. 已办 (done), beside it, lists
the transitions the user took, from the subjects the domain registers with ``register_done_subject``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class InboxProvider:
    subject_type: str  # "item", "list", "extension", "pledge", "livelihood_issue", "supervision_case"
    label: str  # the subject's name on the page
    rows: Callable[[object], list[dict]]  # user -> the steps waiting on them
    actions: tuple[str, ...] = ()  # the action codes the provider may return


_PROVIDERS: dict[str, InboxProvider] = {}


def register_inbox_provider(provider: InboxProvider) -> None:
    _PROVIDERS[provider.subject_type] = provider


def inbox_providers() -> list[InboxProvider]:
    return list(_PROVIDERS.values())


def subject_types() -> tuple[str, ...]:
    return tuple(_PROVIDERS)


def _sort_key(row: dict):
    due = row["due_at"]
    return (due is None, due or dt.datetime.min.replace(tzinfo=dt.UTC), row["subject_type"], row["subject_id"])


def inbox_for(user, subject_type: str | None = None, *, stand_ins: bool = True) -> list[dict]:
    """The steps waiting on ``user``, soonest deadline first (no deadline last).

    ``subject_type`` narrows to one provider; an unknown one raises ``KeyError``. With
    ``stand_ins``, the steps of every person ``user`` stands in for today (代理) join them, each
    marked with ``on_behalf_of`` (the person's id and name) and linked through the page that
    opens it as their stand-in; ``on_behalf_of`` is None on the user's own rows.
    """
    from .standins import principals_of

    if subject_type is not None:
        providers = [_PROVIDERS[subject_type]]
    else:
        providers = list(_PROVIDERS.values())
    rows = [row for provider in providers for row in provider.rows(user)]
    for row in rows:
        row["on_behalf_of"] = row["on_behalf_of_name"] = None
    for principal in principals_of(user) if stand_ins else []:
        for provider in providers:
            for row in provider.rows(principal.user):
                row["on_behalf_of"], row["on_behalf_of_name"] = principal.user.pk, str(principal.user)
                row["url"] = principal.act_url(row["url"])
                rows.append(row)
    labels = {p.subject_type: p.label for p in providers}
    for row in rows:
        row.setdefault("subject_label", labels[row["subject_type"]])
    rows.sort(key=_sort_key)
    return rows


def inbox_row(subject_type: str, subject_id: int, title: str, action: str, action_label, due_at, url: str) -> dict:
    """One step waiting on a user, in the shape every provider returns."""
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "title": title,
        "action": action,
        "action_label": action_label,
        "due_at": due_at,
        "url": url,
    }


_PK_MARK = 987654321987  # a primary key no row has: its place in the reversed URL is the key's


def url_maker(name: str, *more_args):
    """``pk → reverse(name, args=[pk, *more_args])``, reversing once: the URL with a marker key,
    split at it."""
    head, tail = reverse(name, args=[_PK_MARK, *more_args]).split(str(_PK_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"


# -- 已办: what the user did ---------------------------------------------------------------------


@dataclass(frozen=True)
class DoneSubject:
    """A kind of subject whose transitions show on its actors' 已办 (done) page.

    ``in_township(user)`` is the user's township's rows of ``model`` (the log is filtered by
    their keys, in SQL). ``title`` is the field or expression of a row's title; ``link`` the
    expression (text) that ``url(link)`` turns into the page of the row (by default its key).
    """

    subject_type: str
    model: type
    label: str
    in_township: Callable[[object], object]
    title: object
    url: Callable[[str], str]
    link: object = None


_DONE: dict[str, DoneSubject] = {}


def register_done_subject(subject: DoneSubject) -> None:
    _DONE[subject.subject_type] = subject


class DoneSteps:
    """The user's transitions across every registered subject in their township, newest first,
    as a sequence a paginator slices: ``len()`` is one count; a slice is one query for the log
    rows and one for the titles of every subject on the page (a union over their kinds)."""

    def __init__(self, user):
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Q

        from .models import TransitionLog

        self.kinds: dict[int, DoneSubject] = {}
        scoped = Q(pk__in=[])
        for subject in _DONE.values():
            content_type = ContentType.objects.get_for_model(subject.model, for_concrete_model=False)
            self.kinds[content_type.pk] = subject
            scoped |= Q(content_type_id=content_type.pk, object_id__in=subject.in_township(user).values("pk"))
        self.entries = TransitionLog.objects.filter(scoped, actor_id=user.pk).order_by("-at", "-pk")
        self._count = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.entries.count()
        return self._count

    count = __len__

    def _titles(self, entries) -> dict[tuple[int, int], tuple[str, str]]:
        """``{(content type, pk): (title, link)}`` of the subjects of ``entries`` (one query)."""
        from django.db.models import CharField, IntegerField, Value
        from django.db.models.functions import Cast

        parts = []
        for content_type_id, subject in self.kinds.items():
            pks = sorted({e["object_id"] for e in entries if e["content_type_id"] == content_type_id})
            if pks:
                parts.append(
                    subject.model._base_manager.filter(pk__in=pks)
                    .annotate(
                        done_kind=Value(content_type_id, output_field=IntegerField()),
                        done_title=Cast(subject.title, CharField()),
                        done_link=Cast(subject.link or "pk", CharField()),
                    )
                    .values_list("done_kind", "pk", "done_title", "done_link")
                    .order_by()
                )
        if not parts:
            return {}
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return {(kind, pk): (title, link) for kind, pk, title, link in rows}

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        from .engine import transition_and_state_labels

        fields = ("content_type_id", "object_id", "transition", "source", "target", "at", "comment")
        entries = list(self.entries.values(*fields)[index])
        titles = self._titles(entries)
        rows = []
        for entry in entries:
            subject = self.kinds[entry["content_type_id"]]
            transitions, states = transition_and_state_labels(subject.model)
            title, link = titles.get((entry["content_type_id"], entry["object_id"]), ("", None))
            rows.append(
                {
                    "subject_type": subject.subject_type,
                    "subject_label": subject.label,
                    "subject_id": entry["object_id"],
                    "title": title,
                    "transition": entry["transition"],
                    "transition_label": transitions.get(entry["transition"], entry["transition"]),
                    "source": entry["source"],
                    "target": entry["target"],
                    "target_label": states.get(entry["target"], entry["target"]),
                    "at": entry["at"],
                    "comment": entry["comment"],
                    "url": subject.url(link) if link else "",
                }
            )
        return rows


def done_for(user) -> DoneSteps:
    """已办: what ``user`` did — their transitions on every registered subject of their township,
    newest first; slice it (a page) or hand it to a paginator."""
    return DoneSteps(user)
