"""The CIN census tables, flattened the way public CIN tools flatten the XML (one CSV per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ._social_care_extract import ExtractWindow, by_child, iso
from ._social_care_model import Child, CinEpisode, age_on
from .common import write_csv

CIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "cin_child_identifiers.csv": ("LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate",
                                  "ExpectedPersonBirthDate", "Sex", "PersonDeathDate"),
    "cin_child_characteristics.csv": ("LAchildID", "Ethnicity"),
    "cin_disabilities.csv": ("LAchildID", "Disability"),
    "cin_details.csv": ("LAchildID", "CINdetailsID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode",
                        "CINclosureDate", "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA"),
    "cin_assessments.csv": ("LAchildID", "CINdetailsID", "AssessmentID", "AssessmentActualStartDate",
                            "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "AssessmentFactors"),
    "cin_plan_dates.csv": ("LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"),
    "cin_section47.csv": ("LAchildID", "CINdetailsID", "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
                          "ICPCnotRequired"),
    "cin_child_protection_plans.csv": ("LAchildID", "CINdetailsID", "CPPID", "CPPstartDate", "CPPendDate",
                                       "InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP"),
    "cin_cpp_reviews.csv": ("LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"),
}


def write_cin(children: list[Child], window: ExtractWindow, out_dir: Path) -> list[Path]:
    records = [(child, [e for e in child.episodes if window.includes_episode(e)]) for child in by_child(children)]
    records = [(child, episodes) for child, episodes in records if episodes]
    writers = {
        "cin_child_identifiers.csv": lambda: _identifiers(records, window),
        "cin_child_characteristics.csv": lambda: ((child.child_id, child.ethnicity) for child, _ in records),
        "cin_disabilities.csv": lambda: ((child.child_id, code) for child, _ in records
                                         for code in (child.disabilities or ("NONE",))),
        "cin_details.csv": lambda: _details(records, window),
        "cin_assessments.csv": lambda: _assessments(records, window),
        "cin_plan_dates.csv": lambda: _plan_dates(records, window),
        "cin_section47.csv": lambda: _section47(records, window),
        "cin_child_protection_plans.csv": lambda: _protection_plans(records, window),
        "cin_cpp_reviews.csv": lambda: _plan_reviews(records, window),
    }
    return [write_csv(out_dir / name, CIN_COLUMNS[name], rows()) for name, rows in writers.items()]


Records = list[tuple[Child, list[CinEpisode]]]


def _identifiers(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, _ in records:
        born = child.dob <= window.end
        has_upn = born and not child.uasc and age_on(child.dob, window.end) >= 5
        unknown = "" if has_upn else ("UN2" if child.uasc else "UN1")
        yield (child.child_id, child.upn if has_upn else "", child.former_upn, unknown,
               iso(child.dob) if born else "", "" if born else iso(child.expected_dob),
               str(child.sex) if born else "0", iso(window.happened(child.death_date)))


def _details(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            closed = window.happened(episode.closure_date)
            yield (child.child_id, episode.seq, iso(episode.referral_date), episode.source, episode.need, iso(closed),
                   episode.closure_reason if closed else "", iso(window.happened(episode.first_icpc)),
                   "true" if episode.nfa else "false")


def _assessments(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            for number, assessment in enumerate(episode.assessments, start=1):
                if assessment.start > window.end:
                    continue
                for factor in assessment.factors:
                    yield (child.child_id, episode.seq, number, iso(assessment.start),
                           iso(window.happened(assessment.internal_review)),
                           iso(window.happened(assessment.authorised)), factor)


def _plan_dates(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            for plan in episode.cin_plans:
                if plan.start <= window.end:
                    yield child.child_id, episode.seq, iso(plan.start), iso(window.happened(plan.end))


def _section47(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            for enquiry in episode.section47s:
                if enquiry.start > window.end:
                    continue
                not_required = enquiry.icpc_not_required and enquiry.concluded <= window.end
                yield (child.child_id, episode.seq, iso(enquiry.start), iso(enquiry.icpc_target),
                       iso(window.happened(enquiry.icpc)), "true" if not_required else "false")


def _protection_plans(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            for plan in episode.cp_plans:
                if plan.start <= window.end:
                    yield (child.child_id, episode.seq, plan.cpp_id, iso(plan.start), iso(window.happened(plan.end)),
                           plan.initial_category, plan.latest_category, plan.previous_plans)


def _plan_reviews(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, episodes in records:
        for episode in episodes:
            for plan in episode.cp_plans:
                for review in plan.reviews:
                    if review <= window.end:
                        yield child.child_id, episode.seq, plan.cpp_id, iso(review)
