"""The SSDA903 tables (children looked after), as the public 903 CSV layout has them, plus placement distances."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from . import _social_care_codes as codes
from ._social_care_extract import ExtractWindow, by_child, collection_label, dmy
from ._social_care_model import CarePeriod, Child, age_on, birthday, days
from ._social_care_outcomes import care_leaver_rows, health_rows
from .common import GenerationSpec, write_csv

SSDA903_COLUMNS: dict[str, tuple[str, ...]] = {
    "903_header.csv": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "903_episodes.csv": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                         "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "903_reviews.csv": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "903_uasc.csv": ("CHILD", "SEX", "DOB", "DUC"),
    "903_ad1.csv": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
                    "LS_ADOPTR"),
    "903_placed_for_adoption.csv": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "903_previous_permanence.csv": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "903_missing.csv": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "placement_distances.csv": ("CHILD", "DECOM", "distance_miles"),
}
OC2_COLUMNS = ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
               "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
OC3_COLUMNS = ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")
PER_YEAR_PATTERNS = ("903_oc2_*.csv", "903_oc3_*.csv")

Records = list[tuple[Child, list[CarePeriod]]]


def write_903(children: list[Child], window: ExtractWindow, spec: GenerationSpec, out_dir: Path) -> list[Path]:
    ordered = by_child(children)
    records = [(child, [p for p in child.care_periods if window.includes_period(p)]) for child in ordered]
    records = [(child, periods) for child, periods in records if periods]
    header_rng = spec.rng("social_care.903_header")
    permanence_rng = spec.rng("social_care.903_previous_permanence")
    writers = {
        "903_header.csv": lambda: _header(records, window, header_rng),
        "903_episodes.csv": lambda: _episodes(records, window),
        "903_reviews.csv": lambda: _reviews(records, window),
        "903_uasc.csv": lambda: _uasc(records, window),
        "903_ad1.csv": lambda: _adoptions(records, window),
        "903_placed_for_adoption.csv": lambda: _placed_for_adoption(records, window),
        "903_previous_permanence.csv": lambda: _previous_permanence(records, spec.la_code, permanence_rng),
        "903_missing.csv": lambda: _missing(records, window),
        "placement_distances.csv": lambda: _distances(records, window),
    }
    paths = [write_csv(out_dir / name, SSDA903_COLUMNS[name], rows()) for name, rows in writers.items()]
    for pattern in PER_YEAR_PATTERNS:  # per-year files of an earlier run with other years must not linger
        for stale in out_dir.glob(pattern):
            stale.unlink()
    for year in window.financial_years():
        label = collection_label(year)
        paths.append(write_csv(out_dir / f"903_oc2_{label}.csv", OC2_COLUMNS,
                               health_rows(ordered, year, spec.rng(f"social_care.oc2.{year}"))))
    leavers = care_leaver_rows(ordered, spec.rng("social_care.oc3"))
    for year in window.financial_years():
        label = collection_label(year)
        paths.append(write_csv(out_dir / f"903_oc3_{label}.csv", OC3_COLUMNS, leavers.for_year(year, window.end)))
    return paths


def _header(records: Records, window: ExtractWindow, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        upn = child.upn if not child.uasc and age_on(child.dob, window.end) >= 5 else ("UN2" if child.uasc else "UN1")
        mother, mother_since = "", None
        if child.sex == 2 and age_on(child.dob, min(window.end, periods[-1].end)) >= 12:
            mother = "0"
            if age_on(child.dob, window.end) >= 15 and rng.random() < 0.04:
                mother_since = birthday(child.dob, 14) + days(rng.uniform(0, 1300))
                mother = "1" if mother_since <= window.end else "0"
        yield (child.child_id, child.sex, dmy(child.dob), child.ethnicity, upn, mother,
               dmy(mother_since) if mother == "1" else "")


def _reviews(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            for review, code in period.reviews:
                if review <= window.end:
                    yield child.child_id, dmy(child.dob), dmy(review), code


def _uasc(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, _ in records:
        if child.uasc:  # ceases to be an unaccompanied asylum-seeking child at 18
            yield child.child_id, child.sex, dmy(child.dob), dmy(window.happened(child.eighteenth))


def _missing(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            for spell in period.missing:
                if spell.start <= window.end:
                    yield (child.child_id, dmy(child.dob), spell.kind, dmy(spell.start),
                           dmy(window.happened(spell.end)))


def _distances(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            for episode in period.episodes:
                if episode.start <= window.end:
                    yield child.child_id, dmy(episode.start), f"{episode.placement.distance_miles:.1f}"


def _episodes(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            for episode in period.episodes:
                if episode.start > window.end:
                    continue
                ended = window.happened(episode.end)
                placement = episode.placement
                yield (child.child_id, dmy(episode.start), episode.rne, episode.legal_status, period.need,
                       placement.place, placement.provider, dmy(ended), episode.rec if ended else "",
                       episode.reason_place_change if ended else "", period.home_postcode, placement.postcode,
                       placement.urn)


def _adoptions(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            adoption = period.adoption
            if adoption is None or period.reason not in ("E11", "E12"):
                continue
            if window.start <= period.end <= window.end:
                yield (child.child_id, dmy(child.dob), dmy(adoption.decision), dmy(adoption.match),
                       "1" if adoption.by_foster_carer else "0", adoption.adopters, adoption.adopter_sexes,
                       adoption.adopter_status)


def _placed_for_adoption(records: Records, window: ExtractWindow) -> Iterator[tuple[object, ...]]:
    for child, periods in records:
        for period in periods:
            adoption = period.adoption
            if adoption is None or adoption.decision > window.end:
                continue
            ceased = window.happened(adoption.ceased)
            yield (child.child_id, dmy(child.dob), dmy(adoption.decision), dmy(ceased),
                   adoption.ceased_reason if ceased else "")


def _previous_permanence(records: Records, la_code: str, rng: random.Random) -> Iterator[tuple[object, ...]]:
    """Permanence before the latest period of care: an order the council made, or one reported from elsewhere."""
    for child, periods in records:
        latest = periods[-1]
        earlier = [p for p in child.care_periods if p.end <= latest.start and p.reason in _PERMANENCE]
        if earlier:
            yield (child.child_id, dmy(child.dob), _PERMANENCE[earlier[-1].reason], la_code, dmy(earlier[-1].end))
            continue
        draw = rng.random()
        if draw < 0.05 and latest.start > child.dob + days(400):
            order = child.dob + days(rng.uniform(180, (latest.start - child.dob).days - 30))
            yield (child.child_id, dmy(child.dob), "P2" if draw < 0.03 else "P3", codes.pick(rng, codes.OTHER_LA_CODES),
                   dmy(order))
        else:
            yield child.child_id, dmy(child.dob), "Z1", "", ""


_PERMANENCE = {"E45": "P2", "E46": "P2", "E41": "P3", "E47": "P3", "E48": "P3"}
