"""Version-neutral authorization stores: the authorization cache and the local authorization list.

Both keep a token under a key (:func:`token_key`) with an "info" dict that only the OCPP version
reading it interprets (2.0.1: an IdTokenInfo, 1.6: an IdTagInfo), in SQLite under the state folder;
every change is committed before the call returns.
"""

from __future__ import annotations

import hashlib

from .cache import AuthCache, CacheEntry, CachePolicy
from .local_list import ListEntry, LocalList

__all__ = ["AuthCache", "CacheEntry", "CachePolicy", "ListEntry", "LocalList", "token_key"]


def token_key(value: str, token_type: str = "") -> str:
    """The store key of a token: SHA-256 of type + value, as libocpp keys its 2.0.1 tables (1.6 idTags
    have no type: pass ``""``). Tokens never appear in the files in clear text."""
    return hashlib.sha256((token_type + value).encode()).hexdigest()
