"""The raw SQL that bench/pages.py sets beside each page: hand-written queries over the base tables that
compute the figures (or rows) the page shows, by the app's definitions:

- an official is a person holding a post on the day (begun by then, not ended on or before it) in a
  governed desa (desa or desa adat; kelurahan have none): villages.models.PostQuerySet.active_on;
- covered in a program: an enrollment in it covering the day, enrollment.models.covering (active,
  inactive or ended, begun by then, not ended on or before it; an inactive or ended one only with an end
  date); its funding source is that of the covering enrollment begun last (covering_source);
- inactive: not covered, with an inactive enrollment in the program (official_inactive);
- a desa is covered when one of its officials is, fully covered when all of them are.

Parameters (psycopg2 pyformat): day, month (its first day), program, positions (Position values in SOTK
order, for the rank), and the place: regency, subdistrict or province.
"""

from __future__ import annotations

POSTS_ON_DAY = "p.term_start <= %(day)s AND (p.ended_on IS NULL OR p.ended_on > %(day)s)"
COVERING = """e.status IN ('active', 'inactive', 'ended') AND e.start_date <= %(day)s
    AND (e.end_date IS NULL OR e.end_date > %(day)s) AND (e.status = 'active' OR e.end_date IS NOT NULL)"""
RANK = "coalesce(array_position(%(positions)s::text[], p.position::text), cardinality(%(positions)s::text[]))"
# The main post of an official (villages.models.MAIN_POST_ORDER).
MAIN_FIRST = "p.wage_basis DESC, p.status, p.term_start DESC, p.id"

REGENCY = "s.regency_id = %(regency)s"
SUBDISTRICT = "v.subdistrict_id = %(subdistrict)s"
PROVINCE = "s.regency_id IN (SELECT code FROM villages_regency WHERE province_id = %(province)s)"
NATION = "TRUE"


def _desa(where: str) -> str:
    return f"""desa AS MATERIALIZED (
    SELECT v.code, v.name, v.subdistrict_id, s.regency_id, s.name AS subdistrict_name
    FROM villages_village v JOIN villages_subdistrict s ON s.code = v.subdistrict_id
    WHERE v.kind IN ('desa', 'desa_adat') AND {where}
)"""


def _enrollments(where: str, *, sources: bool) -> str:
    """`covered` (per official and program, with the funding source when `sources`) and `inactive`.
    Within a regency or a province, the officials' enrollments are probed by person; across the nation
    they are read in one pass instead (677,000 probes would take longer)."""
    if where != NATION:
        return f"""covered AS MATERIALIZED (
    SELECT DISTINCT ON (e.person_id, e.program_id) e.person_id, e.program_id, e.funding_source_id
    FROM enrollment_enrollment e
    WHERE e.person_id IN (SELECT person_id FROM held) AND {COVERING}
    ORDER BY e.person_id, e.program_id, e.start_date DESC
),
inactive AS MATERIALIZED (
    SELECT DISTINCT e.person_id, e.program_id FROM enrollment_enrollment e
    WHERE e.status = 'inactive' AND e.person_id IN (SELECT person_id FROM held)
)"""
    assert not sources, "the funding sources are counted per regency only"
    return f"""status AS MATERIALIZED (
    SELECT e.person_id, e.program_id, bool_or({COVERING}) AS covered, bool_or(e.status = 'inactive') AS inactive
    FROM enrollment_enrollment e GROUP BY 1, 2
),
covered AS (SELECT person_id, program_id, NULL AS funding_source_id FROM status WHERE covered),
inactive AS (SELECT person_id, program_id FROM status WHERE inactive)"""


def _facts(where: str, *, sources: bool = True) -> str:
    """desa, and `facts`: each official once per desa and program, covered or inactive, with the source;
    `per_village`: per desa and program, the officials and those covered."""
    return f"""WITH {_desa(where)},
held AS MATERIALIZED (
    SELECT DISTINCT p.person_id, p.village_id FROM villages_post p JOIN desa d ON d.code = p.village_id
    WHERE {POSTS_ON_DAY}
),
{_enrollments(where, sources=sources)},
facts AS MATERIALIZED (
    SELECT h.person_id, h.village_id, d.subdistrict_id, d.regency_id, pr.code AS program,
           c.person_id IS NOT NULL AS is_covered, c.funding_source_id AS source,
           c.person_id IS NULL AND i.person_id IS NOT NULL AS is_inactive
    FROM held h JOIN desa d ON d.code = h.village_id CROSS JOIN enrollment_program pr
    LEFT JOIN covered c ON c.person_id = h.person_id AND c.program_id = pr.code
    LEFT JOIN inactive i ON i.person_id = h.person_id AND i.program_id = pr.code
),
per_village AS MATERIALIZED (
    SELECT d.code AS village_id, d.subdistrict_id, d.regency_id, pr.code AS program,
           count(DISTINCT f.person_id) AS officials,
           count(DISTINCT f.person_id) FILTER (WHERE f.is_covered) AS covered
    FROM desa d CROSS JOIN enrollment_program pr
    LEFT JOIN facts f ON f.village_id = d.code AND f.program = pr.code
    GROUP BY 1, 2, 3, 4
)"""


def coverage(where: str, group: str, *, totals: bool = True, sources: bool = True) -> str:
    """Per program, grouped by `group` (a column of facts/per_village) and, with `totals`, in total:
    ('villages', program, key, total, covered, fully covered) and ('officials', program, key, total,
    covered, inactive); with `sources`, ('source', program, source, officials, villages, NULL)."""
    sets = f"GROUPING SETS ((program), (program, {group}))" if totals else f"program, {group}"
    sql = f"""{_facts(where, sources=sources)}
SELECT 'villages', program, {group}, count(*), count(*) FILTER (WHERE covered > 0),
       count(*) FILTER (WHERE officials > 0 AND covered = officials)
FROM per_village GROUP BY {sets}
UNION ALL
SELECT 'officials', program, {group}, count(DISTINCT person_id),
       count(DISTINCT person_id) FILTER (WHERE is_covered), count(DISTINCT person_id) FILTER (WHERE is_inactive)
FROM facts GROUP BY {sets}"""
    if sources:
        sql += """
UNION ALL
SELECT 'source', program, source, count(DISTINCT person_id), count(DISTINCT village_id), NULL
FROM facts WHERE source IS NOT NULL GROUP BY program, source"""
    return sql


# What the month's covering enrollments cost (budgets.contributions.monthly_cost): per enrollment the
# components' shares on the wage basis of the official's main post (floor and ceiling), each share summed
# and rounded once; an official counts where their main post is.
COST = f"""WITH {_desa(REGENCY)},
held AS MATERIALIZED (
    SELECT DISTINCT p.person_id FROM villages_post p JOIN desa d ON d.code = p.village_id WHERE {POSTS_ON_DAY}
),
main AS MATERIALIZED (
    SELECT DISTINCT ON (p.person_id) p.person_id, p.wage_basis, p.village_id FROM villages_post p
    WHERE p.person_id IN (SELECT person_id FROM held) AND {POSTS_ON_DAY}
    ORDER BY p.person_id, {MAIN_FIRST}
),
enrollment_cost AS (
    SELECT e.id, e.program_id, e.funding_source_id,
           round(sum(b.basis * r.employer_rate)) AS employer, round(sum(b.basis * r.participant_rate)) AS participant
    FROM enrollment_enrollment e
    JOIN main ON main.person_id = e.person_id
    JOIN desa d ON d.code = main.village_id
    JOIN enrollment_enrollment_components ec ON ec.enrollment_id = e.id
    CROSS JOIN LATERAL (
        SELECT * FROM budgets_contributionrate r
        WHERE r.component_id = ec.programcomponent_id AND r.effective_from <= %(month)s
        ORDER BY r.effective_from DESC LIMIT 1
    ) r
    LEFT JOIN budgets_regencyminimumwage w
        ON w.regency_id = d.regency_id AND w.year = extract(year FROM %(month)s::date)
    CROSS JOIN LATERAL (
        SELECT least(greatest(main.wage_basis,
                              CASE WHEN r.floor_is_regency_minimum_wage THEN w.amount ELSE r.wage_floor END),
                     nullif(r.wage_ceiling, 0)) AS basis
    ) b
    WHERE {COVERING}
    GROUP BY e.id, e.program_id, e.funding_source_id
)
SELECT program_id, funding_source_id, sum(employer), sum(participant)
FROM enrollment_cost GROUP BY GROUPING SETS ((program_id), (program_id, funding_source_id))"""


def _village_rows(where: str) -> str:
    """Every desa with its officials counted, covered in %(program)s, and its village head (main post)."""
    return f"""{_facts(where)}
SELECT d.code, d.name, d.subdistrict_name, pv.officials, pv.covered, head.full_name, head.phone{{extra}}
FROM desa d JOIN per_village pv ON pv.village_id = d.code AND pv.program = %(program)s
LEFT JOIN LATERAL (
    SELECT pe.full_name, pe.phone FROM villages_post p JOIN villages_person pe ON pe.id = p.person_id
    WHERE p.village_id = d.code AND p.position = 'kepala_desa' AND {POSTS_ON_DAY} ORDER BY {MAIN_FIRST} LIMIT 1
) head ON TRUE"""


# The villages list (which=all, sorted by desa).
VILLAGES = _village_rows(REGENCY).format(extra="") + "\nORDER BY d.name, d.code"

# The follow-up list: desa where nobody is covered in the program, those that have sent nothing first
# (the latest submission's status decides the stage, submissions.selectors.with_submission_stage).
FOLLOWUP = (
    _village_rows(REGENCY).format(
        extra=""",
       CASE sub.status WHEN 'returned' THEN 1 WHEN 'submitted' THEN 2 WHEN 'verified' THEN 2
                       WHEN 'forwarded' THEN 3 ELSE 0 END AS stage"""
    )
    + """
LEFT JOIN LATERAL (
    SELECT status FROM enrollment_submission WHERE village_id = d.code AND program_id = %(program)s
    ORDER BY created_at DESC, id DESC LIMIT 1
) sub ON TRUE
WHERE pv.covered = 0
ORDER BY stage, d.subdistrict_name, d.name, d.code"""
)

# The officials list, first page of 100 (which=all, by name): the count, then each person with their
# posts on the day in the regency's desa and their enrollments in the program.
OFFICIALS = f"""WITH {_desa(REGENCY)},
people AS (
    SELECT pe.id, pe.full_name, pe.nik_encrypted, count(*) OVER () AS total FROM villages_person pe
    WHERE EXISTS (SELECT 1 FROM villages_post p JOIN desa d ON d.code = p.village_id
                  WHERE p.person_id = pe.id AND {POSTS_ON_DAY})
    ORDER BY pe.full_name, pe.id LIMIT 100
)
SELECT pe.id, pe.full_name, pe.nik_encrypted, pe.total,
    (SELECT json_agg(json_build_object('village', d.code, 'name', d.name, 'kecamatan', d.subdistrict_name,
                                       'position', p.position, 'status', p.status) ORDER BY {RANK}, p.id)
     FROM villages_post p JOIN desa d ON d.code = p.village_id WHERE p.person_id = pe.id AND {POSTS_ON_DAY}),
    (SELECT json_agg(json_build_object('status', e.status, 'start', e.start_date, 'end', e.end_date,
                                       'source', e.funding_source_id) ORDER BY e.id)
     FROM enrollment_enrollment e WHERE e.person_id = pe.id AND e.program_id = %(program)s)
FROM people pe ORDER BY pe.full_name, pe.id"""


def _best(program: str, alias: str) -> str:
    """The enrollment an officials file shows for a program: the open one, else the latest created."""
    return f"""LEFT JOIN LATERAL (
    SELECT e.status, e.participant_number, e.funding_source_id, e.start_date FROM enrollment_enrollment e
    WHERE e.person_id = p.person_id AND e.program_id = '{program}'
    ORDER BY (e.status IN ('requested', 'active', 'inactive')) DESC, e.created_at DESC, e.id DESC LIMIT 1
) {alias} ON TRUE"""


# The officials file of a regency: every current post (not ended) in its desa with the holder and, per
# program, the enrollment shown (enrollment.exports.officials_rows). The NIK comes out encrypted: the
# app decrypts (or masks) it in Python, which no SQL can do for it.
OFFICIALS_XLSX = f"""WITH {_desa(REGENCY)}
SELECT d.code, d.name, d.subdistrict_name, pe.nik_encrypted, pe.full_name, pe.sex, pe.birth_date,
       p.position, p.local_title, p.status, p.term_start, p.wage_basis,
       kes.status, kes.participant_number, kes.funding_source_id, kes.start_date,
       tk.status, tk.participant_number, tk.funding_source_id, tk.start_date
FROM villages_post p JOIN desa d ON d.code = p.village_id JOIN villages_person pe ON pe.id = p.person_id
{_best("bpjs_kesehatan", "kes")}
{_best("bpjs_ketenagakerjaan", "tk")}
WHERE p.ended_on IS NULL
ORDER BY d.code, {RANK}, pe.full_name, p.id"""

DASHBOARD = coverage(REGENCY, "subdistrict_id")
SUBDISTRICT_PAGE = coverage(SUBDISTRICT, "village_id", sources=False)
REGENCIES_ALL = coverage(NATION, "regency_id", totals=False, sources=False)
REGENCIES_PROVINCE = coverage(PROVINCE, "regency_id", totals=False, sources=False)
