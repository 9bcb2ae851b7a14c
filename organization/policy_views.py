"""The township office's pages for deadline policies and the escalation ladder (see
``office_policies``): the list per category and urgency, the edit form, the return to the
deployment's policy. Office holders of the township and admins only, like every office page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.models import DeadlinePolicy

from . import office_policies
from .views import _apply, _back, _office_township, _with_reason


@login_required
def office_policies_page(request):
    township = _office_township(request)
    context = {"township": township, "lines": office_policies.township_policies(township)}
    return render(request, "organization/office/policies.html", context)


def _which(request) -> tuple[str, bool]:
    """The category code and urgency a form is about (``?category=&urgent=1``); 404 otherwise."""
    code = request.GET.get("category", "")
    urgent = request.GET.get("urgent", "0")
    if urgent not in ("0", "1") or (code and code not in office_policies._categories()):
        raise Http404
    return code, urgent == "1"


@login_required
def office_policy_edit(request):
    township = _office_township(request)
    code, urgent = _which(request)
    in_force = office_policies.policy_in_force(township, code, urgent)
    initial = {name: getattr(in_force, name) for name in office_policies.FIELDS}
    form = office_policies.PolicyForm(initial=initial)
    if request.method == "POST":
        form = office_policies.PolicyForm(request.POST, initial=initial)
        if _apply(
            request,
            form,
            lambda d: office_policies.policy_set(
                township=township,
                actor=request.user,
                category_code=code,
                urgent=urgent,
                values={name: d[name] for name in office_policies.FIELDS},
                reason=d["reason"],
            ),
        ):
            messages.success(request, _("The policy was saved; the next sweep applies it."))
            return _back("office_policies", township)
    own = DeadlinePolicy.objects.filter(township=township, kind=office_policies.KIND, category_code=code, urgent=urgent)
    context = {
        "township": township,
        "form": form,
        "category": office_policies.category_label(code) if not code else office_policies._categories()[code],
        "urgent": urgent,
        "own": own.first(),
    }
    return render(request, "organization/office/policy_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def office_policy_remove(request, pk: int):
    township = _office_township(request)
    policy = get_object_or_404(DeadlinePolicy.objects.filter(township=township, kind=office_policies.KIND), pk=pk)

    def run(reason):
        office_policies.policy_remove(township=township, actor=request.user, policy=policy, reason=reason)
        return _("The township follows the deployment's policy again.")

    _with_reason(request, run)
    return _back("office_policies", township)
