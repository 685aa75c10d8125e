"""Input discovery and format detection.

Owns: expanding the paths given to `kqlhunt ingest` (files, folders) into input files, hashing
them, sniffing each one's format from its first bytes (not its extension), and opening `.zip`
members and `.gz` streams transparently. A zip is one input (committed whole); each member is
sniffed on its own.

Formats: "evtx", "json" (JSON lines, a JSON array, concatenated JSON documents, or a Log
Analytics API result), "csv" (comma/tab/semicolon separated with a header), "zip", "gz",
"unknown".
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

EVTX_MAGIC = b"ElfFile\x00"
ZIP_MAGIC = b"PK\x03\x04"
GZ_MAGIC = b"\x1f\x8b"

SKIP_NAMES = {".DS_Store", "Thumbs.db"}


FOLDER_FORMATS = {"evtx", "json", "zip", "gz"}


def expand_paths(paths) -> Iterator[Path]:
    """Files under the given paths, folders walked recursively in sorted order.

    Files named explicitly are always returned. Inside folders only log-looking files are:
    EVTX, JSON, zip and gz by content, and CSV when named *.csv (README, YAML, TSV manifests
    and the like are left alone)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f in SKIP_NAMES or f.startswith("._"):
                        continue
                    fp = Path(root) / f
                    try:
                        fmt = outer_format(fp)
                    except OSError:
                        yield fp  # reported as unreadable
                        continue
                    if fmt in FOLDER_FORMATS or (fmt == "csv" and fp.suffix.lower() == ".csv"):
                        yield fp
        else:
            yield p


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def sniff(head: bytes) -> str:
    """Format of a byte stream from its first bytes."""
    if head.startswith(EVTX_MAGIC):
        return "evtx"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(GZ_MAGIC):
        return "gz"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        return "empty"
    if text[:1] in (b"{", b"["):
        return "json"
    try:
        first = text.split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    if "\x00" in first:
        return "unknown"
    for sep in (",", "\t", ";"):
        if first.count(sep) >= 1 and "{" not in first[:1]:
            return "csv"
    return "unknown"


@dataclass
class Member:
    """One readable stream inside an input (the file itself, a zip member, a gz payload)."""

    name: str
    format: str
    open: Callable[[], io.BufferedIOBase]
    path: Path | None = None  # set when the stream is a plain file on disk


def members(path: Path) -> Iterator[Member]:
    """Readable streams of one input file, with their sniffed formats.

    Raises ValueError with an actionable message for corrupt archives."""
    with open(path, "rb") as f:
        head = f.read(4096)
    fmt = sniff(head)
    if fmt == "zip":
        try:
            zf = zipfile.ZipFile(path)
            infos = [i for i in zf.infolist() if not i.is_dir()
                     and not i.filename.startswith("__MACOSX/")
                     and Path(i.filename).name not in SKIP_NAMES]
        except zipfile.BadZipFile as exc:
            raise ValueError(f"corrupt zip archive ({exc}); re-download or re-extract it") from None
        for info in infos:
            try:
                with zf.open(info) as m:
                    mhead = m.read(4096)
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                raise ValueError(f"cannot read zip member {info.filename}: {exc}") from None
            mfmt = sniff(mhead)
            name = f"{path}!{info.filename}"
            if mfmt == "gz":
                yield Member(name, _gz_inner(lambda i=info: zf.open(i)),
                             (lambda i=info: gzip.open(zf.open(i))))
            else:
                yield Member(name, mfmt, (lambda i=info: zf.open(i)))
    elif fmt == "gz":
        yield Member(str(path), _gz_inner(lambda: open(path, "rb")), lambda: gzip.open(path))
    else:
        yield Member(str(path), fmt, lambda: open(path, "rb"), path)


def _gz_inner(opener) -> str:
    try:
        with gzip.open(opener()) as g:
            inner = sniff(g.read(4096))
    except (OSError, EOFError) as exc:
        raise ValueError(f"corrupt gzip stream ({exc})") from None
    if inner in ("zip", "gz"):
        return "unknown"
    return inner


def outer_format(path: Path) -> str:
    with open(path, "rb") as f:
        return sniff(f.read(4096))
