"""Pseudonymisation of child, pupil and person identifiers at the door.

A keyed hash (HMAC-SHA256) of the identifier, so the same child gets the same key in every source and every load,
and nobody without the key can recompute it from a known id. The key comes from the environment
(``SCORECARD_PSEUDONYMISATION_KEY``) or a secret file (``SCORECARD_PSEUDONYMISATION_KEY_FILE``); it is never
logged and never in code. For a local demo with neither set, a random key is created once in the embedded
warehouse's folder (mode 0600) so that repeated demo loads agree.

Rotating the key: set the new key and reload every extract from the landing area (each extract is a full
snapshot); all pseudonymous keys change together, so joins stay consistent. Keep the old key only as long as
any published record-level fact built with it is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

KEY_ENV = "SCORECARD_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "SCORECARD_PSEUDONYMISATION_KEY_FILE"
MIN_KEY_LENGTH = 16
CACHE_SIZE = 262_144  # ids remembered per pseudonymiser: bounded, so memory does not grow with a file


class PseudonymisationKeyError(RuntimeError):
    """No usable key."""


def load_key(default_dir: Path | None = None) -> bytes:
    value = os.environ.get(KEY_ENV)
    if value:
        key = value.encode()
    elif os.environ.get(KEY_FILE_ENV):
        path = Path(os.environ[KEY_FILE_ENV])
        if not path.exists():
            raise PseudonymisationKeyError(f"{KEY_FILE_ENV} names a file that does not exist: {path.name}")
        key = path.read_bytes().strip()
    elif default_dir is not None:
        path = default_dir / "pseudonymisation.key"
        if not path.exists():
            default_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        key = path.read_bytes().strip()
    else:
        raise PseudonymisationKeyError(
            f"No pseudonymisation key: set {KEY_ENV} or {KEY_FILE_ENV} (at least {MIN_KEY_LENGTH} characters)."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymisationKeyError(f"The pseudonymisation key must be at least {MIN_KEY_LENGTH} characters long.")
    return key


class Pseudonymiser:
    """Turns an identifier into a stable pseudonymous key. ``repr`` never shows the key."""

    def __init__(self, key: bytes) -> None:
        self._template = hmac.new(key, digestmod=hashlib.sha256)
        # A child appears in many rows (a pupil in every termly census): hash each id once per load.
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._hash)

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<hidden>)"

    def _hash(self, normalised: str) -> str:
        mac = self._template.copy()
        mac.update(normalised.encode())
        return mac.hexdigest()[:32]

    def __call__(self, identifier: str) -> str:
        return self._cached(identifier.strip().upper())
