"""Celery tasks of the lists app (thin: parse arguments, call a service)."""

from __future__ import annotations

from celery import shared_task

from .excel import month_from_text
from .services.generation import lists_generate_monthly, next_month


@shared_task(name="lists.tasks.generate_monthly_lists")
def generate_monthly_lists(month: str | None = None) -> dict:
    """Beat runs this on the 25th: next month's draft lists from the recurring templates."""
    target = month_from_text(month) if month else next_month()
    result = lists_generate_monthly(month=target)
    return {"month": f"{target:%Y-%m}", "lists_created": result.lists_created, "items_created": result.items_created}
