"""Stand-ins named through the service, as the person names them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from delegations import services


def name_stand_in(delegator, delegate, *, days: int = 5, starts_in: int = 0, reason: str = "外出培训"):
    today = timezone.localdate()
    return services.delegation_create(
        delegator=delegator,
        delegate=delegate,
        starts_on=today + dt.timedelta(days=starts_in),
        ends_on=today + dt.timedelta(days=starts_in + days),
        reason=reason,
    )
