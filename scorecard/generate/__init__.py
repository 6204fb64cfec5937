"""Synthetic source extracts, in the public formats councils hand over (see docs/CONVENTIONS.md).

``generate_all`` writes one council's extracts for every domain; the order matters where a later domain reads an
earlier one's files (health reads the SSDA903 episodes to know who entered care).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import logging
import time
from pathlib import Path

from scorecard.generate.common import GenerationSpec, write_csv
from scorecard.generate.inject import apply_injections

log = logging.getLogger(__name__)

DOMAINS = ("social_care", "education", "early_help", "health")
NATIONAL = ("benchmarks",)  # files for all councils at once, in <landing>/national/


def generate_all(spec: GenerationSpec, domains: tuple[str, ...] = DOMAINS) -> list[Path]:
    """Write every domain's files for the council in ``spec``, then apply ``spec.inject`` (named damage, see
    ``scorecard/generate/inject.py``); returns the paths written."""
    written: list[Path] = []
    clean = dataclasses.replace(spec, inject=())
    for domain in domains:
        module = importlib.import_module(f"scorecard.generate.{domain}")
        started = time.perf_counter()
        paths = module.generate(clean)
        paths.append(write_manifest(spec, domain))
        log.info("generated %s: %d files in %.1fs", domain, len(paths), time.perf_counter() - started)
        written.extend(paths)
    if spec.inject:
        apply_injections(spec.la_dir, spec.inject, spec.rng("inject"))
    return written


def write_manifest(spec: GenerationSpec, domain: str) -> Path:
    """The delivery's manifest: when it was taken and the reporting window it covers (see the contract)."""
    header = ["ExtractDate", "PeriodStart", "PeriodEnd", "System"]
    row = [spec.extract_date.isoformat(), spec.start_date.isoformat(), spec.extract_date.isoformat(),
           "synthetic generator"]
    return write_csv(spec.la_dir / f"extract_manifest_{domain}.csv", header, [row])


def council_specs(base: GenerationSpec, count: int) -> list[GenerationSpec]:
    """``count`` councils for a benchmarking group or the whole country: the base council first, then others in
    LA-code order, each with its own code, name, seed and size (0.3 to 2.5 times the base, fixed per council).
    At most England's councils less the tiny ones (``TINY``): 150."""
    from scorecard.generate._benchmark_areas import LOCAL_AUTHORITIES, TINY

    others = [la for la in sorted(LOCAL_AUTHORITIES, key=lambda la: la.code) if la.code != base.la_code]
    chosen = [la for la in others if la.code not in TINY][: max(count - 1, 0)]
    specs = [base]
    for la in chosen:
        digest = hashlib.sha256(f"size:{la.code}".encode()).digest()
        size = 0.3 + 2.2 * int.from_bytes(digest[:2], "big") / 65535
        specs.append(dataclasses.replace(base, la_code=la.code, la_name=la.name, seed=base.seed + int(la.code),
                                         scale=round(base.scale * size, 3)))
    return specs


def generate_councils(base: GenerationSpec, count: int = 1, national: bool = True) -> list[Path]:
    """Every council's extracts (see ``council_specs``) and, once, the national benchmark files."""
    written: list[Path] = []
    specs = council_specs(base, count)
    for number, spec in enumerate(specs, start=1):
        started = time.perf_counter()
        written.extend(generate_all(spec))
        if count > 1:
            print(f"  council {number}/{len(specs)} {spec.la_code} {spec.la_name} (scale {spec.scale}): "
                  f"{time.perf_counter() - started:.1f}s", flush=True)
    if national:
        for domain in NATIONAL:
            written.extend(importlib.import_module(f"scorecard.generate.{domain}").generate(base))
    return written
