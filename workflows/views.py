"""The engine's own pages over every registered subject: search."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .search import clean_query, search_for, search_providers


@login_required
def search(request):
    query = clean_query(request.GET.get("q"))
    rows = search_for(request.user, query) if query else []
    groups = []
    for provider in search_providers():
        hits = [row for row in rows if row["subject_type"] == provider.subject_type]
        if hits:
            groups.append((provider.label, hits))
    return render(request, "workflows/search.html", {"q": query, "groups": groups, "count": len(rows)})
