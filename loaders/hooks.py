"""Imports every module that registers a post-load hook (see ``loaders/post_load.py``). Add new ones here."""

import loaders.returns  # noqa: F401 - hand-typed returns: unpivot and parse each printed value
