from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from workflows.engine import available_transitions, history

from .selectors import items_visible_to


@login_required
def item_detail(request, pk: int):
    """An item with its history timeline (404 outside the caller's scope)."""
    item = get_object_or_404(items_visible_to(request.user), pk=pk)
    return render(
        request,
        "responsibilities/item_detail.html",
        {
            "item": item,
            "history": history(item),
            "transitions": available_transitions(item, request.user),
            "progress_reports": item.progress_reports.select_related("author"),
            "evidence": item.evidence.select_related("uploaded_by"),
        },
    )
