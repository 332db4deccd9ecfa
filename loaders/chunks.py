"""What a file read in pieces needs to give the same result as the whole file at once.

- `Problems`: every piece's problems, kept per kind of check in the order a whole file reports
  them (the first MAX_PROBLEMS of each and the count of the rest: the report shows no more).
- `Ordinals`: a row key's ordinal among identical rows counts the earlier pieces too.
- `SeenKeys`: the natural keys earlier pieces stored, as 64-bit hashes (a prefilter: a hit is
  checked in the store), so that a duplicate spanning two pieces is counted once.
- `release_memory`: what a piece freed goes back to the system before the next one.
- `ahead`: the next piece is prepared in a second thread while one is written (pyarrow, pandas
  and the database release Python's lock for most of their work).
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, TypeVar

import numpy as np
import pandas as pd

from lagesbild.errors import Problem
from loaders.errors import FileRefused, PersonalDataFound
from loaders.values import MAX_PROBLEMS

T = TypeVar("T")


class Problems:
    """The problems of a whole file, added a piece at a time under named sections; `raise_if_any`
    refuses as loaders.kinds.common.raise_all does (personal data first, at most MAX_PROBLEMS)."""

    def __init__(self, file: str, sections: list[str], personal: str = "gate"):
        self.file, self.personal = file, personal
        self.kept: dict[str, list[Problem]] = {s: [] for s in sections}
        self.counts: Counter = Counter()
        self._columns: set[tuple] = set()

    def add(self, section: str, problems: list[Problem]) -> None:
        if section == self.personal:  # a header that looks personal is reported by every piece: once
            problems = [p for p in problems if p.value is not None or (p.column, p.message) not in self._columns]
            self._columns |= {(p.column, p.message) for p in problems if p.value is None}
        self.counts[section] += len(problems)
        room = MAX_PROBLEMS - len(self.kept[section])
        if room > 0:
            self.kept[section].extend(problems[:room])

    def __bool__(self) -> bool:
        return sum(self.counts.values()) > 0

    def raise_if_any(self) -> None:
        if not self:
            return
        problems = [p for section in self.kept.values() for p in section][:MAX_PROBLEMS]
        total = sum(self.counts.values())
        if total > MAX_PROBLEMS:
            problems.append(Problem(self.file, None, None, None, f"… och {total - MAX_PROBLEMS} problem till."))
        raise (PersonalDataFound if self.counts[self.personal] else FileRefused)(problems)


class Ordinals:
    """Row keys 'row:<digest>-<ordinal>' made per piece, renumbered as if made for the whole
    file: each digest's ordinal goes on from the count of the earlier pieces (kept exactly, as
    fixed-width bytes: 24 bytes a distinct row)."""

    def __init__(self):
        self.digests = np.empty(0, dtype="S24")
        self.counts = np.empty(0, dtype=np.int64)

    def renumber(self, keys: list[str]) -> list[str]:
        if not keys:
            return keys
        parts = pd.Series(keys).str.rpartition("-")
        heads = parts[0].to_numpy(dtype=object)  # 'row:<digest>'
        digests = np.array([h[4:] for h in heads], dtype="S24")
        ordinals = parts[2].astype(np.int64).to_numpy()
        earlier = self._earlier(digests)
        renumbered = [f"{h}-{o}" for h, o in zip(heads, ordinals + earlier)]
        self._count(digests)
        return renumbered

    def _earlier(self, digests: np.ndarray) -> np.ndarray:
        if not len(self.digests):
            return np.zeros(len(digests), dtype=np.int64)
        pos = np.searchsorted(self.digests, digests).clip(max=len(self.digests) - 1)
        return np.where(self.digests[pos] == digests, self.counts[pos], 0)

    def _count(self, digests: np.ndarray) -> None:
        new, n = np.unique(digests, return_counts=True)
        merged = np.concatenate([self.digests, new])
        counts = np.concatenate([self.counts, n])
        self.digests, inverse = np.unique(merged, return_inverse=True)
        self.counts = np.bincount(inverse, weights=counts, minlength=len(self.digests)).astype(np.int64)


class SeenKeys:
    """64-bit hashes of the (source, natural key) pairs stored by the earlier pieces of a file."""

    def __init__(self):
        self.hashes = np.empty(0, dtype=np.uint64)

    @staticmethod
    def hash(sources: pd.Series, keys: pd.Series) -> np.ndarray:
        # Each column hashed as it is and the two combined (no joined text a row): a collision
        # only costs a look-up in the store.
        k = pd.util.hash_array(keys.to_numpy(dtype=object), categorize=False)
        s = pd.util.hash_array(sources.to_numpy(dtype=object))
        return k ^ (s * np.uint64(0x9E3779B97F4A7C15))

    def maybe_seen(self, hashes: np.ndarray) -> np.ndarray:
        return np.isin(hashes, self.hashes) if len(self.hashes) else np.zeros(len(hashes), dtype=bool)

    def add(self, hashes: np.ndarray) -> None:
        self.hashes = np.union1d(self.hashes, hashes)


def release_memory() -> None:
    """Hand the memory freed by a piece back to the system (pyarrow's pool and, on glibc,
    malloc's free pages), so that a long-running app process shrinks again after an import."""
    try:
        import pyarrow as pa
        pa.default_memory_pool().release_unused()
    except ImportError:
        pass
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


def ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of an iterator, each next one computed in a second thread while the caller
    works on the current one (the iterator is only ever advanced by one thread at a time)."""
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="piece") as pool:
        pending = pool.submit(next, items, done)
        while True:
            item = pending.result()
            if item is done:
                return
            pending = pool.submit(next, items, done)
            yield item
