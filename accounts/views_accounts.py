"""Account pages of DPMD staff (and superusers): the list, desa not on board yet, one account and its
actions, bulk village-head accounts with printable slips, and the account activity of the regency.

Pages that show a one-time password answer the POST itself (never a redirect that would need to keep
the password somewhere) with `Cache-Control: no-store`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import AccountFilterForm, AccountForm, BulkForm, ScopeForm
from accounts.models import User
from accounts.selectors import account_events_visible_to, accounts_manageable_by, villages_not_on_board
from core import permissions
from core.models import Regency, Subdistrict, Village
from core.selectors import regencies_editable_by
from core.spreadsheets.columns import Column
from core.spreadsheets.writer import title_text, xlsx_response


def _manager_or_403(request) -> None:
    if not permissions.may_manage_accounts(request.user):
        raise PermissionDenied(_("Accounts are looked after by DPMD staff."))


def _account_for_user(request, pk: int) -> User:
    """An account the user looks after; any other id is a 404, whoever it belongs to."""
    _manager_or_403(request)
    return get_object_or_404(accounts_manageable_by(request.user), pk=pk)


def _subdistricts(user: User):
    return Subdistrict.objects.filter(regency__in=regencies_editable_by(user)).order_by("regency", "name")


def render_once(request, template: str, context: dict):
    """A page holding a one-time password or key: answered once, never cached."""
    site_url = settings.SITE_URL.rstrip("/") + "/" if settings.SITE_URL else request.build_absolute_uri("/")
    response = render(request, template, {**context, "site_url": site_url})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_list(request):
    _manager_or_403(request)
    form = AccountFilterForm(request.GET or None, subdistricts=_subdistricts(request.user))
    accounts = accounts_manageable_by(request.user).order_by("role", "village_id", "username")
    if form.is_valid():
        if form.cleaned_data["subdistrict"]:
            accounts = accounts.filter(village__subdistrict=form.cleaned_data["subdistrict"])
        if form.cleaned_data["role"]:
            accounts = accounts.filter(role=form.cleaned_data["role"])
    page = Paginator(accounts, 100).get_page(request.GET.get("page"))
    locked = services.locked_usernames(a.username for a in page)
    rows = [(a, a.username in locked) for a in page]
    return render(request, "accounts/account_list.html", {"form": form, "page": page, "rows": rows})


def _villages_not_on_board(user: User):
    regencies = regencies_editable_by(user)
    return villages_not_on_board(Village.objects.filter(subdistrict__regency__in=regencies)).order_by(
        "subdistrict__name", "name"
    )


@login_required
def villages_without_login(request):
    _manager_or_403(request)
    villages = _villages_not_on_board(request.user)
    return render(request, "accounts/villages_not_on_board.html", {"villages": villages})


@login_required
def villages_without_login_xlsx(request):
    _manager_or_403(request)
    rows = [
        [v.subdistrict.name, v.code, v.name, _("yes") if v.has_account else _("no")]
        for v in _villages_not_on_board(request.user)
    ]
    columns = [
        Column("subdistrict", _("Subdistrict"), 24),
        Column("code", _("Village code"), 16, text=True),
        Column("village", _("Village"), 28),
        Column("has_account", _("Has an account"), 14),
    ]
    regency = Regency.objects.filter(pk=request.user.regency_id).first()
    title = title_text(_("Desa not logged in yet"), regency=regency, day=timezone.localdate())
    return xlsx_response(filename="desa-belum-masuk.xlsx", title=title, columns=columns, rows=rows)


@login_required
def account_new(request):
    _manager_or_403(request)
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.account_create(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                first_name=data["first_name"],
                email=data["email"],
                phone=data["phone"],
                **form.scope(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            slips = [services.Slip(village=account.village, account=account, password=password)]
            return render_once(request, "accounts/slips.html", {"slips": slips, "single": True})
    return render(request, "accounts/account_form.html", {"form": form})


@login_required
def accounts_bulk(request):
    _manager_or_403(request)
    regencies = list(regencies_editable_by(request.user)[:2])
    if len(regencies) != 1:  # a superuser chooses the regency through its kecamatan
        regencies = []
    form = BulkForm(request.POST or None, subdistricts=_subdistricts(request.user))
    if request.method == "POST" and form.is_valid():
        subdistrict = form.cleaned_data["subdistrict"]
        if subdistrict is None and not regencies:
            form.add_error("subdistrict", _("Choose a subdistrict."))
        else:
            regency = None if subdistrict else regencies[0]
            slips = services.accounts_create_for_villages(actor=request.user, regency=regency, subdistrict=subdistrict)
            return render_once(request, "accounts/slips.html", {"slips": slips, "bulk": True})
    waiting = villages_not_on_board(Village.objects.filter(subdistrict__regency__in=regencies)).filter(
        has_account=False
    )
    return render(request, "accounts/accounts_bulk.html", {"form": form, "waiting": waiting.count()})


@login_required
def account_detail(request, pk):
    account = _account_for_user(request, pk)
    context = {
        "account": account,
        "locked": account.username in services.locked_usernames([account.username]),
        "can_change_scope": permissions.may_change_scope(request.user, account),
        "is_self": account.pk == request.user.pk,
        "form": ScopeForm(actor=request.user, initial=_scope_initial(account)),
        "events": account_events_visible_to(request.user).filter(user=account)[:20],
    }
    return render(request, "accounts/account_detail.html", context)


def _scope_initial(account: User) -> dict:
    return {
        "role": account.role,
        "village": account.village_id,
        "regency": account.regency_id,
        "program": account.program_id,
        "province": account.province_id,
    }


@login_required
@require_POST
def account_change(request, pk):
    account = _account_for_user(request, pk)
    form = ScopeForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            services.account_change(actor=request.user, account=account, role=form.cleaned_data["role"], **form.scope())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The role and scope of %(user)s were changed.") % {"user": account.username})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("account-detail", pk=account.pk)


@login_required
@require_POST
def account_reset(request, pk):
    account = _account_for_user(request, pk)
    password = services.account_reset_password(actor=request.user, account=account)
    slips = [services.Slip(village=account.village, account=account, password=password)]
    return render_once(request, "accounts/slips.html", {"slips": slips, "single": True, "reset": True})


@login_required
@require_POST
def account_unlock(request, pk):
    account = _account_for_user(request, pk)
    services.account_unlock(actor=request.user, account=account)
    messages.success(request, _("%(user)s can log in again.") % {"user": account.username})
    return redirect("account-detail", pk=account.pk)


@login_required
@require_POST
def account_set_active(request, pk, active: bool):
    account = _account_for_user(request, pk)
    try:
        services.account_set_active(actor=request.user, account=account, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("%(user)s was reactivated.") if active else _("%(user)s was deactivated.")
        messages.success(request, done % {"user": account.username})
    return redirect("account-detail", pk=account.pk)


@login_required
def account_activity(request):
    _manager_or_403(request)
    events = account_events_visible_to(request.user)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    regency = Regency.objects.filter(pk=request.user.regency_id).first()
    return render(request, "accounts/account_activity.html", {"page": page, "regency": regency})
