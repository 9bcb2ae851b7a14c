"""The inbox page: the open flow tasks assigned to the signed-in user."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .flows import open_tasks_for


def task_rows(user) -> list[dict]:
    """Each open task with the object it is about (no query per row: the selector joins them)."""
    rows = []
    for task in open_tasks_for(user):
        item = getattr(getattr(task.process, "itemprocess", None), "item", None)
        lst = getattr(getattr(task.process, "listprocess", None), "list", None)
        rows.append({"task": task, "title": task.flow_task.task_title, "item": item, "list": lst})
    return rows


@login_required
def inbox(request):
    return render(request, "responsibilities/inbox.html", {"rows": task_rows(request.user)})
