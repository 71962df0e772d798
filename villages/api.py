"""Read-only region and official lists, scoped like the pages."""

from __future__ import annotations

from rest_framework import generics, serializers

from villages.models import Person
from villages.selectors import officials_visible_to


class OfficialSerializer(serializers.ModelSerializer):
    nik = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "nik", "full_name", "sex", "birth_date"]

    def get_nik(self, person: Person) -> str:
        # Lists show the NIK masked to everyone; the full NIK is on the official's page for roles that need it.
        return person.nik_masked


class OfficialListView(generics.ListAPIView):
    serializer_class = OfficialSerializer

    def get_queryset(self):
        return officials_visible_to(self.request.user).order_by("full_name", "pk")
