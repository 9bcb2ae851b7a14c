"""The inbox pages: 我的待办 (every step waiting on the signed-in user) and 已办 beside it."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from workflows.inbox import done_for, inbox_for

DONE_PAGE_SIZE = 50


@login_required
def inbox(request):
    rows = inbox_for(request.user)
    return render(request, "responsibilities/inbox.html", {"rows": rows, "count": len(rows), "tab": "todo"})


@login_required
def inbox_done(request):
    """已办, beside 我的待办: the user's own transitions across subjects, newest first, paged."""
    page = Paginator(done_for(request.user), DONE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "responsibilities/inbox.html", {"page": page, "rows": page.object_list, "tab": "done"})
