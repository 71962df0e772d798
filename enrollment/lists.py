"""What every list behind a number reads from its query string: the kecamatan and desa it is narrowed
to, the position and status, the sort, and whether the rows go out as Excel.

One reader serves the lists of officials, of desa and of submissions, so `?kecamatan=`, `?desa=`,
`?position=`, `?status=` and `?sort=` mean the same everywhere, and the filter form
(`templates/enrollment/_list_filters.html`) is one partial. A kecamatan or desa outside the regency, or a
value the list does not know, is a 404: nothing tells whether it exists elsewhere. The Excel download is
the same queryset as the page, all of its pages (`format=xlsx`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.models import Regency, Subdistrict, Village
from core.selectors import governed_villages
from villages.models import position_rank


def choice(request, name: str, allowed: Sequence[str]) -> str:
    """`?name=` among `allowed` (the first when absent); anything else is a 404."""
    value = request.GET.get(name, allowed[0])
    if value not in allowed:
        raise Http404
    return value


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


@dataclass
class ListFilters:
    """A list's narrowing and order, read from the request, and what its filter form offers."""

    regency: Regency
    villages: QuerySet[Village]  # the regency's villages, narrowed to the kecamatan and desa chosen
    subdistrict: Subdistrict | None = None
    village: Village | None = None
    position: str = ""
    status: str = ""
    sort: str = ""
    # what the form offers: [(value, label)]; empty for a filter the list does not have
    positions: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    sorts: list = field(default_factory=list)
    with_desa: bool = True

    def context(self, request, **kept: str) -> dict:
        """The names the filter form and the list templates read; `keep` the other parameters of the
        request (program, figure, day), which the form sends back unchanged or as `kept` gives them
        (the day as it was read, not as it was typed)."""
        own = {"kecamatan", "page", "format"} | {
            name
            for name, offered in (
                ("desa", self.with_desa),
                ("position", self.positions),
                ("status", self.statuses),
                ("sort", self.sorts),
            )
            if offered
        }
        return {
            "keep": [(k, kept.get(k, v)) for k, v in request.GET.items() if k not in own],
            "subdistrict": self.subdistrict,
            "village": self.village,
            "position": self.position,
            "status": self.status,
            "sort": self.sort,
            "subdistricts": self.regency.subdistricts.order_by("name", "pk"),
            "desa_choices": (
                governed_villages(Village.objects.filter(subdistrict__regency=self.regency))
                .filter(**({"subdistrict": self.subdistrict} if self.subdistrict else {}))
                .select_related("subdistrict")
                .order_by("name", "pk")
                if self.with_desa
                else []
            ),
            "positions": self.positions,
            "statuses": self.statuses,
            "sorts": self.sorts,
        }


def list_filters(
    request,
    regency: Regency,
    *,
    sorts: Sequence[tuple[str, str]] = (),
    positions: Sequence[tuple[str, str]] = (),
    statuses: Sequence[tuple[str, str]] = (),
    with_desa: bool = True,
) -> ListFilters:
    """Read `?kecamatan=`, `?desa=` (a desa of the regency, of the kecamatan when one is chosen),
    `?position=`, `?status=` and `?sort=` (the first of `sorts` by default) for one list of `regency`.
    A filter the list does not offer (no `positions`, no `statuses`) is not read."""
    villages = Village.objects.filter(subdistrict__regency=regency)
    subdistrict = village = None
    if request.GET.get("kecamatan"):
        subdistrict = get_object_or_404(Subdistrict, regency=regency, pk=request.GET["kecamatan"])
        villages = villages.filter(subdistrict=subdistrict)
    if with_desa and request.GET.get("desa"):
        village = get_object_or_404(governed_villages(villages), pk=request.GET["desa"])
        villages = villages.filter(pk=village.pk)
    return ListFilters(
        regency=regency,
        villages=villages,
        subdistrict=subdistrict,
        village=village,
        position=choice(request, "position", ("", *(v for v, _ in positions))) if positions else "",
        status=choice(request, "status", ("", *(v for v, _ in statuses))) if statuses else "",
        sort=choice(request, "sort", [v for v, _ in sorts]) if sorts else "",
        positions=list(positions),
        statuses=list(statuses),
        sorts=list(sorts),
        with_desa=with_desa,
    )


# How a list of posts (one row per post held) can be sorted: by holder's name, by kecamatan and desa
# then SOTK rank, by SOTK rank; the holder's name and the post break ties.
def post_sorts() -> dict[str, tuple]:
    return {
        "name": ("person__full_name", "pk"),
        "desa": ("village__subdistrict__name", "village__name", position_rank(), "person__full_name", "pk"),
        "position": (position_rank(), "person__full_name", "pk"),
    }
