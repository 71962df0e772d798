"""Read-only region lists, scoped like the pages."""

from __future__ import annotations

from rest_framework import generics, serializers

from core.models import Regency, Village
from core.selectors import regencies_visible_to, villages_visible_to


class RegencySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name")

    class Meta:
        model = Regency
        fields = ["code", "name", "province"]


class VillageSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict.code")
    regency = serializers.CharField(source="subdistrict.regency_id")

    class Meta:
        model = Village
        fields = ["code", "name", "kind", "subdistrict", "regency", "postal_code", "is_active"]


class RegencyListView(generics.ListAPIView):
    serializer_class = RegencySerializer

    def get_queryset(self):
        return regencies_visible_to(self.request.user)


class VillageListView(generics.ListAPIView):
    serializer_class = VillageSerializer
    filterset_fields = {"subdistrict__regency": ["exact"], "subdistrict": ["exact"], "kind": ["exact"]}

    def get_queryset(self):
        return villages_visible_to(self.request.user).order_by("code")
