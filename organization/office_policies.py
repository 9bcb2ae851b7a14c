"""The township office's deadline policies and escalation ladder (截止规则与升级阶梯), per category.

A township starts with the deployment's policies (``DeadlinePolicy`` rows without a township).
When its office sets a policy for a category (or for every category, code ``""``) and urgency,
the township gets a row of its own, which the sweep applies to the township's units only; removing
it returns the township to the deployment's. Each change is one ``AdministrativeChange`` row with
its reason and the values before and after. Only responsibility items' policies (kind ``item``)
are edited here: work orders and pledges keep the deployment's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.models import DeadlinePolicy
from workflows.policies import PolicyBook

from .forms import REASON_WIDGET
from .models import AdministrativeChange, Unit, User

KIND = "item"
MAX_WORKING_DAYS = 250  # about a working year: a longer rung is a typing mistake

#: The fields the office edits, in the form's order.
FIELDS = (
    "accept_within_working_days",
    "accept_within_hours",
    "blue_before_due_working_days",
    "blue_at_percent_time_used",
    "red_after_due_working_days",
    "escalate_after_overdue_working_days",
    "level1_audience",
    "level1_action",
    "level2_after_overdue_working_days",
    "level2_audience",
    "level2_action",
    "level3_after_overdue_working_days",
    "level3_audience",
    "level3_action",
    "verify_within_working_days",
)
LADDER_DAYS = (
    "escalate_after_overdue_working_days",
    "level2_after_overdue_working_days",
    "level3_after_overdue_working_days",
)


def category_label(code: str) -> str:
    return code or _("every category")


def _categories() -> dict[str, str]:
    from lists.models import TaskCategory

    return dict(TaskCategory.objects.order_by("code").values_list("code", "name"))


@dataclass
class PolicyLine:
    """One (category, urgency) of the township: the policy in force and whose it is."""

    category_code: str
    category_name: str
    urgent: bool
    policy: object  # workflows.policies.Policy
    own: DeadlinePolicy | None  # the township's own row, if it has one


def township_policies(township: Unit) -> list[PolicyLine]:
    """Every category (and "every category") × normal / urgent, with the policy in force in
    ``township`` and the township's own row where there is one. Two queries."""
    book = PolicyBook(KIND)
    names = _categories()
    lines = []
    for code in ["", *names]:
        for urgent in (False, True):
            lines.append(
                PolicyLine(
                    category_code=code,
                    category_name=names.get(code) or category_label(code),
                    urgent=urgent,
                    policy=book.resolve(code, urgent, township.pk),
                    own=book.rows.get((township.pk, code, urgent)),
                )
            )
    return lines


def policy_in_force(township: Unit, category_code: str, urgent: bool):
    return PolicyBook(KIND).resolve(category_code, urgent, township.pk)


class PolicyForm(forms.ModelForm):
    """The policy of one category and urgency in one township, and why it changes."""

    reason = forms.CharField(label=gettext_lazy("Reason"), widget=REASON_WIDGET, max_length=1000)

    class Meta:
        model = DeadlinePolicy
        fields = FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.IntegerField):
                field.max_value = 100 if name == "blue_at_percent_time_used" else MAX_WORKING_DAYS
                field.widget.attrs.update({"min": 0, "max": field.max_value})
                field.validators.append(_at_most(field.max_value))

    def clean(self):
        data = super().clean()
        days = [data.get(name) for name in LADDER_DAYS]
        if None not in days:
            if days[1] <= days[0]:
                self.add_error(
                    "level2_after_overdue_working_days", _("Level 2 must come after level 1 (more overdue days).")
                )
            if days[2] <= days[1]:
                self.add_error(
                    "level3_after_overdue_working_days", _("Level 3 must come after level 2 (more overdue days).")
                )
        return data

    def _post_clean(self):
        # The row's township, kind, category and urgency are set by the service, not the form:
        # the model's uniqueness and constraint checks would run on an incomplete row here.
        pass


def _at_most(limit: int):
    def check(value):
        if value is not None and value > limit:
            raise ValidationError(_("At most %(limit)s.") % {"limit": limit})

    return check


def _values(policy) -> dict:
    values = asdict(policy) if not isinstance(policy, DeadlinePolicy) else {n: getattr(policy, n) for n in FIELDS}
    return {name: values[name] for name in FIELDS}


def _target(category_code: str, urgent: bool) -> str:
    urgency = _("urgent") if urgent else _("normal")
    return f"{category_label(category_code)} · {urgency}"


def _check(township: Unit, category_code: str) -> None:
    if township.kind != Unit.Kind.TOWNSHIP:
        raise ValidationError({"township": _("Policies are set for a township.")})
    if category_code and category_code not in _categories():
        raise ValidationError({"category": _("No such category.")})


@transaction.atomic
def policy_set(
    *, township: Unit, actor: User, category_code: str, urgent: bool, values: dict, reason: str
) -> DeadlinePolicy:
    """Set the township's own policy of a category and urgency (creating its row the first
    time), logged with the values before and after."""
    from .office import _record, _require_reason

    reason = _require_reason(reason)
    _check(township, category_code)
    before = _values(policy_in_force(township, category_code, urgent))
    row = (
        DeadlinePolicy.objects.select_for_update()
        .filter(township=township, kind=KIND, category_code=category_code, urgent=urgent)
        .first()
    ) or DeadlinePolicy(township=township, kind=KIND, category_code=category_code, urgent=urgent)
    for name in FIELDS:
        setattr(row, name, values[name])
    row.full_clean(validate_unique=False)
    row.save()
    after = _values(row)
    _record(
        township,
        actor,
        AdministrativeChange.Action.POLICY_SET,
        _target(category_code, urgent),
        reason,
        category=category_code,
        urgent=urgent,
        before=before,
        after=after,
        changed=sorted(name for name in FIELDS if before[name] != after[name]),
    )
    return row


@transaction.atomic
def policy_remove(*, township: Unit, actor: User, policy: DeadlinePolicy, reason: str) -> None:
    """Drop the township's own row: the deployment's policy applies again."""
    from .office import _record, _require_reason

    reason = _require_reason(reason)
    if policy.township_id != township.pk:
        raise ValidationError({"policy": _("This policy is not your township's.")})
    before = _values(policy)
    code, urgent = policy.category_code, policy.urgent
    policy.delete()
    after = _values(policy_in_force(township, code, urgent))
    _record(
        township,
        actor,
        AdministrativeChange.Action.POLICY_REMOVE,
        _target(code, urgent),
        reason,
        category=code,
        urgent=urgent,
        before=before,
        after=after,
    )
