"""Synthetic social-care extracts for one council: the CIN census, the SSDA903 return and local extracts.

The generator simulates the council's children, from a few years before the first financial year (so that children
already on plans or in care are there when the window opens) to the extract date, and writes what a case-management
system would export on the extract date:

- CIN census modules (``cin_*.csv``, ISO dates): episodes of need open at any time from 12 months before the window
  (a look-back for repeat referrals) with their assessments, section 47 enquiries, plans and reviews;
- SSDA903 tables (``903_*.csv``, dd/mm/YYYY): periods of care open at any time in the window with all their
  episodes, reviews and missing spells; adoptions in the window; OC2 and OC3 in one file per collection year
  (``903_oc2_2016-17.csv``), because the public OC2/OC3 layouts carry no year;
- local extracts: ``contacts.csv``, ``social_worker_caseloads.csv``, ``child_population.csv`` and
  ``placement_distances.csv`` (miles from home to placement for each 903 episode).

The same person number identifies a child in every file (``LAchildID`` = ``CHILD``). See the load contracts in
``loaders/contracts/social_care`` for every column, code list and key.
"""

from __future__ import annotations

from pathlib import Path

from ._social_care_extract import ExtractWindow
from ._social_care_sim import Simulation
from ._social_care_write_903 import write_903
from ._social_care_write_cin import write_cin
from ._social_care_write_local import write_local
from .common import GenerationSpec
from .inject import INJECTIONS, apply_injections


def generate(spec: GenerationSpec) -> list[Path]:
    """Write the council's social-care extracts; then damage them as ``spec.inject`` names (see ``inject.py``,
    the same injections and random stream ``generate_all`` uses, so either way gives the same files)."""
    unknown = sorted(set(spec.inject) - set(INJECTIONS))
    if unknown:  # refuse before spending time on the simulation
        raise ValueError(f"unknown injection(s) {', '.join(unknown)}")
    simulation = Simulation(spec)
    result = simulation.run()
    window = ExtractWindow(result.window_start, result.window_end)
    out_dir = spec.la_dir
    paths = write_cin(result.children, window, out_dir)
    paths += write_903(result.children, window, spec, out_dir)
    paths += write_local(result.children, window, spec, simulation.ids, simulation.year_factor, out_dir)
    if spec.inject:
        damaged = apply_injections(out_dir, spec.inject, spec.rng("inject"))
        paths = [path for path in paths if path.exists()] + [path for path in damaged if path not in paths]
    return paths
