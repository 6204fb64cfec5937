"""Synthetic education extracts: schools and Ofsted, school census, exclusions, SEN2 and EHC plans,
home education and children missing education, NEET tracking and early years take-up.

All files are written into ``spec.la_dir``; see the contracts under ``loaders/contracts/education/`` for the
columns. The school census, SEN, registers and NEET files share one population of children, so a pupil's UPN,
date of birth, special educational needs and spells off roll agree across them.
"""

from __future__ import annotations

from pathlib import Path

from ._edu_calendar import Term, academic_year_label
from ._edu_census import write_census
from ._edu_participation import write_early_years, write_neet
from ._edu_population import build_population
from ._edu_registers import RegisterEntry, build_cme, build_ehe
from ._edu_schools import SchoolEstate, build_estate
from ._edu_sen import SenData, build_sen
from .common import GenerationSpec, fmt_date, write_csv

GIAS_DATE = "%d-%m-%Y"
OFSTED_DATE = "%d/%m/%Y"
ISO = "%Y-%m-%d"

SCHOOLS_HEADER = ("URN", "SchoolName", "Phase", "Type", "OpenDate", "CloseDate", "PredecessorURN")
OFSTED_HEADER = ("URN", "InspectionDate", "PublicationDate", "OverallEffectiveness")
TERM_DATES_HEADER = ("academic_year", "term", "half_term", "start_date", "end_date", "census_date")
SEN2_PERSONS_HEADER = ("UPN", "PersonBirthDate", "Sex", "Ethnicity", "UniqueLearnerNumber", "UPNunknown")
SEN2_REQUESTS_HEADER = (
    "UPN", "ReceivedDate", "RequestSource", "RYA", "RequestOutcomeDate", "RequestOutcome", "RequestMediation",
    "RequestTribunal", "Exported",
)
SEN2_ASSESSMENTS_HEADER = (
    "UPN", "ReceivedDate", "AssessmentOutcome", "AssessmentOutcomeDate", "AssessmentMediation",
    "AssessmentTribunal", "OtherMediation", "OtherTribunal", "Week20",
)
EHCP_PLANS_HEADER = (
    "plan_id", "upn", "request_received_date", "twenty_week_due_date", "ep_advice_requested_date",
    "ep_advice_received_date", "plan_issued_date", "exception_applies", "exception_reason",
    "transfer_from_statement", "statement_date", "ceased_date", "cease_reason", "primary_need",
)
EHCP_REVIEWS_HEADER = ("plan_id", "upn", "review_due_date", "review_meeting_date", "review_decision_date")
EHE_HEADER = (
    "register_id", "upn", "dob", "gender", "ncyear_at_start", "start_date", "end_date", "end_reason",
    "reason_for_ehe",
)
CME_HEADER = ("register_id", "upn", "dob", "gender", "ncyear_at_start", "start_date", "end_date", "outcome")


def generate(spec: GenerationSpec) -> list[Path]:
    out = spec.la_dir
    estate = build_estate(spec)
    population = build_population(spec, estate)
    sen = build_sen(spec, population, estate)
    ehe = build_ehe(spec, population)
    cme = build_cme(spec, population)
    terms = [term for term in population.calendar.terms if term.academic_year >= population.first_academic_year]
    paths = [
        _write_schools(out / "schools.csv", estate),
        _write_ofsted(out / "ofsted_inspections.csv", estate),
        _write_term_dates(out / "school_term_dates.csv", terms, spec),
    ]
    pupils, exclusions = out / "school_census_pupils.csv", out / "school_census_exclusions.csv"
    write_census(spec, population, sen, pupils, exclusions)
    paths += [pupils, exclusions]
    paths += _write_sen(out, sen)
    paths.append(_write_register(out / "ehe_register.csv", EHE_HEADER, ehe, with_reason=True))
    paths.append(_write_register(out / "cme_register.csv", CME_HEADER, cme, with_reason=False))
    neet = out / "neet_activity.csv"
    write_neet(spec, population, neet)
    early_years = out / "early_years_takeup.csv"
    write_early_years(spec, population, early_years)
    return paths + [neet, early_years]


def _write_schools(path: Path, estate: SchoolEstate) -> Path:
    records = sorted(
        ((record, school) for school in estate.schools for record in school.records), key=lambda item: item[0].urn
    )
    return write_csv(
        path,
        SCHOOLS_HEADER,
        (
            (
                record.urn, record.name, school.phase, record.school_type, fmt_date(record.open_date, GIAS_DATE),
                fmt_date(record.close_date, GIAS_DATE), record.predecessor_urn or "",
            )
            for record, school in records
        ),
    )


def _write_ofsted(path: Path, estate: SchoolEstate) -> Path:
    return write_csv(
        path,
        OFSTED_HEADER,
        (
            (item.urn, fmt_date(item.inspection_date, OFSTED_DATE), fmt_date(item.publication_date, OFSTED_DATE),
             item.grade)
            for item in estate.inspections
        ),
    )


def _write_term_dates(path: Path, terms: list[Term], spec: GenerationSpec) -> Path:
    rows = []
    for term in terms:
        if term.start > spec.extract_date:
            continue
        for half in term.half_terms:
            rows.append((
                academic_year_label(term.academic_year), term.code, half.number, fmt_date(half.start, ISO),
                fmt_date(half.end, ISO), fmt_date(term.census_date, ISO),
            ))
    return write_csv(path, TERM_DATES_HEADER, rows)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _write_sen(out: Path, sen: SenData) -> list[Path]:
    persons = write_csv(
        out / "sen2_persons.csv",
        SEN2_PERSONS_HEADER,
        (
            (person.upn, fmt_date(person.dob, ISO), person.sex, person.ethnicity, person.uln, "")
            for person in sorted(sen.persons, key=lambda item: item.upn)
        ),
    )
    requests = write_csv(
        out / "sen2_requests.csv",
        SEN2_REQUESTS_HEADER,
        (
            (
                request.person.upn, fmt_date(request.received, ISO), request.source, "0",
                fmt_date(request.outcome_date, ISO), request.outcome, _flag(request.mediation),
                _flag(request.tribunal), _flag(request.exported),
            )
            for request in sen.requests
        ),
    )
    assessments = write_csv(
        out / "sen2_assessments.csv",
        SEN2_ASSESSMENTS_HEADER,
        (
            (
                item.request.person.upn, fmt_date(item.request.received, ISO), item.outcome,
                fmt_date(item.outcome_date, ISO), _flag(item.mediation), _flag(item.tribunal), "0", "0",
                _flag(item.week20),
            )
            for item in sen.assessments
        ),
    )
    plans = write_csv(
        out / "ehcp_plans.csv",
        EHCP_PLANS_HEADER,
        (
            (
                plan.plan_id, plan.person.upn, fmt_date(plan.request_received, ISO),
                fmt_date(plan.twenty_week_due, ISO), fmt_date(plan.ep_requested, ISO),
                fmt_date(plan.ep_received, ISO), fmt_date(plan.issued, ISO),
                "" if plan.transfer else _yn(plan.exception), plan.exception_reason, _yn(plan.transfer),
                fmt_date(plan.statement_date, ISO), fmt_date(plan.ceased, ISO), plan.cease_reason, plan.primary_need,
            )
            for plan in sen.plans
        ),
    )
    reviews = write_csv(
        out / "ehcp_annual_reviews.csv",
        EHCP_REVIEWS_HEADER,
        (
            (
                review.plan.plan_id, review.plan.person.upn, fmt_date(review.due, ISO),
                fmt_date(review.meeting, ISO), fmt_date(review.decision, ISO),
            )
            for review in sen.reviews
        ),
    )
    return [persons, requests, assessments, plans, reviews]


def _write_register(path: Path, header: tuple[str, ...], entries: list[RegisterEntry], with_reason: bool) -> Path:
    def row(entry: RegisterEntry) -> tuple[object, ...]:
        values = (
            entry.register_id, entry.upn, fmt_date(entry.dob, ISO), entry.gender, entry.ncyear,
            fmt_date(entry.start, ISO), fmt_date(entry.end, ISO), entry.outcome,
        )
        return values + ((entry.reason,) if with_reason else ())

    return write_csv(path, header, (row(entry) for entry in entries))
