"""Accounts through the API: the same services and checks as the /akun/ pages.

A village or regency outside the caller's scope reads exactly like one that does not exist; an account
of another regency is a 404. Any field not listed (is_superuser, is_staff, ...) is refused, not ignored."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from accounts.selectors import accounts_manageable_by
from core import permissions
from core.models import Regency, Subdistrict, Village
from core.roles import Role
from core.selectors import governed_villages, regencies_editable_by
from core.text import validate_name


class AccountSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", allow_null=True)
    regency = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "role", "village", "regency", "is_active", "last_login", "locked"]

    def get_regency(self, account: User) -> str | None:
        return account.regency_id or (account.village_id[:5] if account.village_id else None)

    def get_locked(self, account: User) -> bool:
        return account.username in self.context.get("locked", set())


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a smuggled `is_superuser` is an error, not a silent no-op.
    Choices of regions are limited to the regencies the acting user (`context["actor"]`) decides for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = self.context.get("actor")
        if actor is not None:  # None while the schema is generated
            self.limit_to(regencies_editable_by(actor))

    def limit_to(self, regencies) -> None:
        """Narrow the region fields to these regencies."""

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
        return attrs


class AccountCreateSerializer(StrictSerializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    role = serializers.ChoiceField(choices=[Role.VILLAGE.value, Role.DPMD.value])
    village = serializers.SlugRelatedField(slug_field="code", queryset=Village.objects.none(), required=False)
    regency = serializers.SlugRelatedField(slug_field="code", queryset=Regency.objects.none(), required=False)
    first_name = serializers.CharField(max_length=150, required=False, default="", validators=[validate_name])
    email = serializers.EmailField(required=False, default="")

    def limit_to(self, regencies) -> None:
        self.fields["village"].queryset = governed_villages(Village.objects.filter(subdistrict__regency__in=regencies))
        self.fields["regency"].queryset = regencies

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        needed = "village" if attrs["role"] == Role.VILLAGE else "regency"
        if not attrs.get(needed):
            raise serializers.ValidationError({needed: [_("This field is required.")]})
        return attrs


class BulkSerializer(StrictSerializer):
    regency = serializers.SlugRelatedField(slug_field="code", queryset=Regency.objects.none(), required=False)
    subdistrict = serializers.SlugRelatedField(slug_field="code", queryset=Subdistrict.objects.none(), required=False)

    def limit_to(self, regencies) -> None:
        self.fields["regency"].queryset = regencies
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(regency__in=regencies)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if bool(attrs.get("regency")) == bool(attrs.get("subdistrict")):
            raise serializers.ValidationError(_("Give a regency or a subdistrict (one of them)."))
        return attrs


CREATED = inline_serializer(
    "AccountCreated",
    {"account": AccountSerializer(), "one_time_password": serializers.CharField()},
)


def _ensure_manager(request) -> None:
    if not permissions.may_manage_accounts(request.user):
        raise PermissionDenied(_("Accounts are looked after by DPMD staff."))


def _serialized(accounts) -> list[dict]:
    locked = services.locked_usernames(a.username for a in accounts)
    return AccountSerializer(accounts, many=True, context={"locked": locked}).data


class AccountListView(APIView):
    @extend_schema(responses=AccountSerializer(many=True))
    def get(self, request):
        _ensure_manager(request)
        accounts = list(accounts_manageable_by(request.user).order_by("username"))
        return Response(_serialized(accounts))

    @extend_schema(request=AccountCreateSerializer, responses={201: CREATED})
    def post(self, request):
        _ensure_manager(request)
        serializer = AccountCreateSerializer(data=request.data, context={"actor": request.user})
        serializer.is_valid(raise_exception=True)
        account, password = services.account_create(actor=request.user, **serializer.validated_data)
        return Response(
            {"account": _serialized([account])[0], "one_time_password": password},
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},
        )


class AccountBulkView(APIView):
    @extend_schema(request=BulkSerializer, responses={201: CREATED})
    def post(self, request):
        _ensure_manager(request)
        serializer = BulkSerializer(data=request.data, context={"actor": request.user})
        serializer.is_valid(raise_exception=True)
        slips = services.accounts_create_for_villages(actor=request.user, **serializer.validated_data)
        data = [
            {"account": row, "one_time_password": slip.password}
            for slip, row in zip(slips, _serialized([s.account for s in slips]), strict=True)
        ]
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class AccountResetView(APIView):
    @extend_schema(request=None, responses={200: CREATED})
    def post(self, request, pk: int):
        account = _account_for_user(request, pk)
        password = services.account_reset_password(actor=request.user, account=account)
        return Response(
            {"account": _serialized([account])[0], "one_time_password": password},
            headers={"Cache-Control": "no-store"},
        )


class AccountActionView(APIView):
    """Unlock, deactivate or reactivate; the action comes from the URL."""

    action = ""

    @extend_schema(request=None, responses={200: AccountSerializer})
    def post(self, request, pk: int):
        account = _account_for_user(request, pk)
        try:
            if self.action == "unlock":
                services.account_unlock(actor=request.user, account=account)
            else:
                services.account_set_active(actor=request.user, account=account, active=self.action == "reactivate")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return Response(_serialized([account])[0])


def _account_for_user(request, pk: int) -> User:
    _ensure_manager(request)
    return get_object_or_404(accounts_manageable_by(request.user), pk=pk)


urlpatterns = [
    path("accounts/", AccountListView.as_view(), name="api-accounts"),
    path("accounts/bulk/", AccountBulkView.as_view(), name="api-accounts-bulk"),
    path("accounts/<int:pk>/reset-password/", AccountResetView.as_view(), name="api-account-reset-password"),
    *[
        path(f"accounts/<int:pk>/{action}/", AccountActionView.as_view(action=action), name=f"api-account-{action}")
        for action in ("unlock", "deactivate", "reactivate")
    ],
]
