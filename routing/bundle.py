"""A bundle of numpy arrays in one file, opened memory-mapped.

Layout: the arrays one after the other, each aligned on 64 bytes, and a JSON index beside the
file (``<name>.json``: dtype, shape and offset of each array, plus free metadata). Opening
maps the file read-only once and makes zero-copy views: it costs the same at any size, and
processes that open the same file share its pages through the OS page cache (gunicorn
workers, forked or not).
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

ALIGN = 64


def write_bundle(path: str | Path, arrays: Mapping[str, np.ndarray], *,
                 meta: Mapping[str, Any] | None = None) -> None:
    """Write ``arrays`` to ``path`` and their index to ``path + '.json'`` (atomically)."""
    path = Path(path)
    index: dict[str, Any] = {"arrays": {}, "meta": dict(meta or {})}
    tmp = path.with_name(path.name + ".tmp")
    offset = 0
    with open(tmp, "wb") as fh:
        for name, arr in arrays.items():
            arr = np.ascontiguousarray(arr)
            pad = (-offset) % ALIGN
            fh.write(b"\0" * pad)
            offset += pad
            index["arrays"][name] = {"dtype": arr.dtype.str, "shape": list(arr.shape),
                                     "offset": offset}
            fh.write(arr.tobytes())
            offset += arr.nbytes
    index_tmp = path.with_name(path.name + ".json.tmp")
    index_tmp.write_text(json.dumps(index))
    os.replace(tmp, path)
    os.replace(index_tmp, path.with_name(path.name + ".json"))


def release_page_cache(path: str | Path) -> None:
    """Write ``path`` out and drop its pages from the OS page cache.

    Freshly written files sit in the page cache in large blocks (folios of up to 2 MB on
    Linux), and a process that maps the file and touches one byte of such a block maps the
    whole block. Dropped after writing, the file is read back page by page as queries need
    it (the mappings are ``MADV_RANDOM``), so a worker maps the pages it uses, not the
    build's blocks. No-op where ``posix_fadvise`` is missing.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


class Bundle(Mapping):
    """Read-only, memory-mapped arrays of a bundle; ``meta`` holds its metadata."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        index = json.loads(self.path.with_name(self.path.name + ".json").read_text())
        self.meta: dict[str, Any] = index["meta"]
        size = self.path.stat().st_size
        self._map = None
        if size:
            with open(self.path, "rb") as fh:  # the mapping outlives the file object
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            if hasattr(mmap, "MADV_RANDOM"):
                # a query reads a few scattered pages: without this the kernel maps the
                # neighbouring ones too (read-ahead), and a worker soon holds whole files
                self._map.madvise(mmap.MADV_RANDOM)
        self._arrays: dict[str, np.ndarray] = {}
        for name, spec in index["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            start = spec["offset"]
            if count == 0 or self._map is None:
                arr = np.empty(spec["shape"], dtype=dtype)
            else:
                # a plain read-only ndarray over the mapping (np.memmap's subclass is slow)
                arr = np.frombuffer(self._map, dtype=dtype, count=count, offset=start)
                arr = arr.reshape(spec["shape"])
            self._arrays[name] = arr

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)
