"""Coverage figures of whole regencies: counted in one pass over three plain queries, and cached under
the regencies' data versions (core.data_versions), so a dashboard read after the first is a cache hit
and a write anywhere in the regency is seen by the very next read.

`enrollment.selectors.coverage` gives the same figures with grouped SQL aggregates: it stays the
definition, and the tests compare the two on random days and regencies after random writes. Those
aggregates cost PostgreSQL a correlated EXISTS per desa and per post (for BPJS Ketenagakerjaan it hashed
every TK enrollment of the country to answer one regency). Here, per batch of regencies:
1. its desa (code, kecamatan, regency);
2. the posts held on the day in them (holder, desa);
3. the enrollments of those holders in every program, each with a "covers the day" flag computed in SQL
   by the one `covering` predicate, its status, start date and funding source;
then Python counts, per program, for the regency, each kecamatan and each desa: officials (distinct
holders), covered and inactive, desa covered and fully covered, and per funding source (of the covering
enrollment begun last) the officials and desa — exactly the definitions of enrollment.selectors.
About 8,000 posts and 12,000 enrollments for the largest regency.

What is cached is plain data (ints and strings), not objects: a deploy that changes a class does not
meet unreadable entries; `_CACHE_FORMAT` changes when the data's shape does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.parse import urlencode

from celery import shared_task
from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.data_versions import Versions, versions
from core.models import FundingSource, Program, Regency, Subdistrict, Village
from enrollment.models import Enrollment, covering
from enrollment.selectors import Coverage, RegencyCoverage, SourceCoverage
from villages.models import Post

T = TypeVar("T")
_CACHE_FORMAT = 1
CACHE_SECONDS = 24 * 60 * 60  # keys change with the data; this only lets unread ones go
BATCH = 40  # regencies counted together when many are asked at once (the comparison page)
_FIELDS = ("villages_total", "villages_covered", "villages_fully_covered", "officials_total", "officials_covered")


def _key(part: str, regency_code: str, version: str, day: dt.date) -> str:
    return f"coverage:{_CACHE_FORMAT}:{part}:{regency_code}:{version}:{day.isoformat()}"


def _counts(
    villages: Iterable[str], holders: dict[str, set[int]], flags: dict[str, dict[int, tuple[bool, bool]]]
) -> dict[str, list[int]]:
    """Per program: [villages total, covered, fully covered, officials total, covered, inactive] of the
    desa `villages`, whose holders are `holders`."""
    villages = list(villages)
    people: set[int] = set().union(*(holders.get(v, ()) for v in villages)) if villages else set()
    result = {}
    for program, of in flags.items():
        covered = sum(1 for v in villages if any(of.get(p, (False,))[0] for p in holders.get(v, ())))
        fully = sum(1 for v in villages if holders.get(v) and all(of.get(p, (False,))[0] for p in holders[v]))
        officials_covered = sum(1 for p in people if of.get(p, (False,))[0])
        inactive = sum(1 for p in people if of.get(p, (False, False))[1])
        result[program] = [len(villages), covered, fully, len(people), officials_covered, inactive]
    return result


def _count_regencies(regency_codes: list[str], day: dt.date, programs: list[str]) -> dict[str, dict]:
    """The figures of these regencies on `day`, as cached: three queries."""
    desa = Village.objects.filter(subdistrict__regency__in=regency_codes, kind__in=Village.GOVERNED_KINDS)
    village_rows = list(desa.order_by().values_list("code", "subdistrict_id", "subdistrict__regency_id"))
    posts = Post.objects.active_on(day).filter(village__in=desa).order_by()
    post_rows = list(posts.values_list("person_id", "village_id"))
    enrollment_rows = (
        Enrollment.objects.filter(person__in=posts.values("person_id"))
        .annotate(covers=ExpressionWrapper(covering(day), output_field=BooleanField()))
        .order_by()
        .values_list("person_id", "program_id", "covers", "status", "start_date", "funding_source_id")
    )
    # per program, per person: (covered, inactive and not covered), and the source of the covering
    # enrollment begun last
    covered: dict[str, set[int]] = defaultdict(set)
    inactive: dict[str, set[int]] = defaultdict(set)
    source_of: dict[tuple[str, int], tuple[dt.date, str | None]] = {}
    for person, program, covers, status, start, source in enrollment_rows.iterator(chunk_size=5000):
        if covers:
            covered[program].add(person)
            best = source_of.get((program, person))
            if best is None or start > best[0]:
                source_of[(program, person)] = (start, source)
        if status == Enrollment.Status.INACTIVE:
            inactive[program].add(person)
    flags = {
        p: {person: (True, False) for person in covered[p]}
        | {person: (False, True) for person in inactive[p] - covered[p]}
        for p in programs
    }

    holders: dict[str, set[int]] = defaultdict(set)
    for person, village in post_rows:
        holders[village].add(person)
    by_regency: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, subdistrict, regency in village_rows:
        by_regency[regency].append((code, subdistrict))

    result = {}
    for regency in regency_codes:
        rows = by_regency.get(regency, [])
        subdistricts: dict[str, list[str]] = defaultdict(list)
        for code, subdistrict in rows:
            subdistricts[subdistrict].append(code)
        sources = {}
        for p in programs:
            officials: dict[str | None, set[int]] = defaultdict(set)
            places: dict[str | None, set[str]] = defaultdict(set)
            for code, _ in rows:
                for person in holders.get(code, ()):
                    paid = source_of.get((p, person))
                    if paid is not None and paid[1] is not None:
                        officials[paid[1]].add(person)
                        places[paid[1]].add(code)
            sources[p] = {s: [len(officials[s]), len(places[s])] for s in officials}
        result[regency] = {
            "total": _counts((code for code, _ in rows), holders, flags),
            "detail": {
                "subdistricts": {s: _counts(codes, holders, flags) for s, codes in subdistricts.items()},
                "villages": {code: _counts([code], holders, flags) for code, _ in rows},
                "sources": sources,
            },
        }
    return result


def _entries(regency_codes: list[str], day: dt.date, *parts: str, current: Versions | None = None) -> dict[str, dict]:
    """Parts ("total": a regency's totals; "detail": per kecamatan, per desa and per source) of the
    figures of these regencies, keyed by regency then part: from the cache, counting (and caching) in
    batches those missing. The parts are kept apart so that the comparison of 514 regencies reads only
    totals. `current`: the tokens when the caller has read them already."""
    current = current or versions(regency_codes)
    keyed = {code: v for code in regency_codes if (v := current.of(code)) is not None}
    keys = {(code, p): _key(p, code, v, day) for code, v in keyed.items() for p in parts}
    found = cache.get_many(list(keys.values())) if keys else {}
    entries: dict[str, dict] = defaultdict(dict)
    for (code, p), key in keys.items():
        if key in found:
            entries[code][p] = found[key]
    missing = [code for code in regency_codes if len(entries.get(code, ())) < len(parts)]
    programs = list(Program.objects.values_list("code", flat=True)) if missing else []
    for start in range(0, len(missing), BATCH):
        counted = _count_regencies(missing[start : start + BATCH], day, programs)
        entries.update({code: {p: figures[p] for p in parts} for code, figures in counted.items()})
        cache.set_many(
            {
                _key(p, c, keyed[c], day): part
                for c, figures in counted.items()
                if c in keyed
                for p, part in figures.items()
            },
            CACHE_SECONDS,
        )
    return entries


@shared_task(name="enrollment.figures_warm", soft_time_limit=4 * 60, time_limit=5 * 60)
def figures_warm() -> int:
    """Every few minutes (the beat): today's figures of every regency counted before anyone asks."""
    return warm(day=timezone.localdate())


def warm(*, day: dt.date, regency_codes: list[str] | None = None) -> int:
    """Count and cache the figures of every regency with desa (or of these) not cached for `day`:
    run every few minutes by the beat, so that a dashboard is counted before anybody opens it (after
    midnight, every regency; during the day, those written to since). Returns how many were counted."""
    if regency_codes is None:
        regency_codes = list(Regency.objects.filter(subdistricts__isnull=False).distinct().values_list("pk", flat=True))
    current = versions(regency_codes)
    keys = {code: _key("total", code, v, day) for code in regency_codes if (v := current.of(code)) is not None}
    cached = cache.get_many(list(keys.values()))
    missing = [code for code, key in keys.items() if key not in cached]
    _entries(missing, day, "total")
    return len(missing)


def _coverage(counts: list[int] | None) -> Coverage:
    if counts is None:
        return Coverage()
    return Coverage(**dict(zip((*_FIELDS, "officials_inactive"), counts, strict=True)))


def _per_program(counts: dict[str, list[int]], programs: list[Program]) -> dict[str, Coverage]:
    return {p.code: _coverage(counts.get(p.code)) for p in programs}


# Where a target form goes in the cached month-by-month charts of the dashboard (per program).
TARGET_FORM = "<!--target-form:{program}-->"


def regency_key(regency_code: str, day: dt.date) -> str | None:
    """The key a regency's figures on `day` are cached under now (None: not cacheable): what is
    rendered from them can be cached under it too."""
    token = versions([regency_code]).of(regency_code)
    return None if token is None else _key("detail", regency_code, token, day)


def regency_figures(*, regency: Regency, programs: list[Program], day: dt.date) -> RegencyCoverage:
    """What `enrollment.selectors.regency_coverage` gives, from the cache when the regency has not
    changed since it was counted."""
    current = versions([regency.code])
    token = current.of(regency.code)
    entry = _entries([regency.code], day, "total", "detail", current=current)[regency.code]
    total, entry = entry["total"], entry["detail"]
    funding = {s.pk: s for s in FundingSource.objects.all()}
    return RegencyCoverage(
        key=None if token is None else _key("detail", regency.code, token, day),
        totals=_per_program(total, programs),
        per_subdistrict={s: _per_program(c, programs) for s, c in entry["subdistricts"].items()},
        sources={
            p.code: sorted(
                (SourceCoverage(funding[s], *n) for s, n in entry["sources"].get(p.code, {}).items()),
                key=lambda s: s.source.order,
            )
            for p in programs
        },
        subdistricts=list(Subdistrict.objects.filter(regency=regency)),
    )


def rendered(key: str | None, name: str, programs: list[Program], render: Callable[[], str]) -> str:
    """HTML rendered from figures cached under `key` (RegencyCoverage.key), cached beside them per
    language and visible programs: the same figures render the same fragment. It must hold nothing
    that depends on the user beyond those (no form, no CSRF token)."""
    if key is None:
        return render()
    full = f"{key}:html:{name}:{get_language()}:{','.join(p.code for p in programs)}"
    html = cache.get(full)
    if html is None:
        html = render()
        cache.set(full, html, CACHE_SECONDS)
    return mark_safe(html)


def page_part(regency_code: str, name: str, request, day: dt.date, compute: Callable[[], T]) -> T:
    """A part of a list page of one regency (its table, its count), cached under the regency's token
    for the request's query (filters, sort, page), the day and the language: rows of desa and
    officials read only what the regency's token covers. Not cached when the regency has no token."""
    token = versions([regency_code]).of(regency_code)
    if token is None:
        return compute()
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    key = f"list:{_CACHE_FORMAT}:{name}:{regency_code}:{token}:{day.isoformat()}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def subdistrict_figures(
    *, subdistrict: Subdistrict, programs: list[Program], day: dt.date
) -> tuple[dict[str, dict[str, Coverage]], dict[str, Coverage]]:
    """The figures of each desa of a kecamatan (keyed by code) and of the kecamatan as a whole."""
    entry = _entries([subdistrict.regency_id], day, "detail")[subdistrict.regency_id]["detail"]
    codes = Village.objects.filter(subdistrict=subdistrict, kind__in=Village.GOVERNED_KINDS).values_list(
        "code", flat=True
    )
    per_village = {code: _per_program(entry["villages"][code], programs) for code in codes if code in entry["villages"]}
    return per_village, _per_program(entry["subdistricts"].get(subdistrict.code, {}), programs)


def regencies_key(regency_codes: list[str], day: dt.date) -> str | None:
    """One key for the figures of all these regencies on `day` (None when one is not cacheable): what
    is rendered from them all (the comparison of regencies) is cached under it."""
    current = versions(regency_codes)
    tokens = [current.of(code) for code in regency_codes]
    if None in tokens:
        return None
    digest = hashlib.sha256("|".join(f"{c}={t}" for c, t in zip(regency_codes, tokens, strict=True)).encode())
    return f"coverage:{_CACHE_FORMAT}:regencies:{digest.hexdigest()}:{day.isoformat()}"


def regencies_figures(*, regencies: list[Regency], programs: list[Program], day: dt.date) -> dict[str, dict]:
    """The totals of each regency (keyed by code), per program: the comparison of regencies."""
    entries = _entries([r.code for r in regencies], day, "total")
    return {code: _per_program(parts["total"], programs) for code, parts in entries.items()}
