from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from core.permissions import has_regency_scope, own_village
from core.selectors import regencies_visible_to


@login_required
def home(request):
    """Send each user to the page of their scope: a desa, a regency, or the comparison of regencies."""
    user = request.user
    if not has_regency_scope(user):
        return redirect("village-detail", code=own_village(user))
    regencies = list(regencies_visible_to(user).values_list("pk", flat=True)[:2])
    if len(regencies) == 1:
        return redirect("regency-dashboard", code=regencies[0])
    return redirect("regency-list")
