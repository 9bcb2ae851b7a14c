"""The inbox page (我的待办): every step waiting on the signed-in user, from the one selector."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from workflows.inbox import inbox_for


@login_required
def inbox(request):
    rows = inbox_for(request.user)
    return render(request, "responsibilities/inbox.html", {"rows": rows, "count": len(rows)})
