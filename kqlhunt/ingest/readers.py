"""Record readers: EVTX, JSON (lines / array / documents / Log Analytics API result), CSV.

Owns: streaming records out of one input stream and turning each into `(table, row)`, or into
`(None, reason)` when the record cannot be used, so that every input record is accounted for.

JSON records are routed by shape:
* a `Type` column -> a Sentinel / Log Analytics export row for the table named by Type;
* `{"Event": {"System": ...}}` -> an evtx_dump-style event, mapped like an EVTX record;
* Defender columns (DeviceName + ProcessCommandLine/InitiatingProcessId) -> DeviceProcessEvents;
* `EventID` with `Channel`/`SourceName` -> a Security-Datasets (Mordor) flat host log.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import warnings
from typing import Iterator

import evtx
import orjson

from . import windows
from .sources import Member

Item = tuple  # (table | None, row dict | reason str)

MAX_DOCUMENT_BYTES = 512 << 20


class FileError(Exception):
    """The input cannot be read at all (message is shown to the user as is)."""


# ------------------------------------------------------------------------------------------
# EVTX
RAW = "\x00raw"  # item table name of a chunk of unmapped EVTX records: (RAW, (datas, times, ids))
RAW_CHUNK = 2000


def read_evtx(member: Member, sysmon_table: str, raw: bool = False) -> Iterator[Item]:
    """EVTX records as (table, row) (mapped in Python), or with raw=True as (RAW, (datas, times,
    ids)) chunks of the crate's JSON strings, header times and record ids for the SQL mapping
    (evtxsql); warnings of skipped data are (None, reason) either way."""
    tmp = None
    path = member.path
    if path is None:  # inside a zip / gz: the parser needs a seekable file
        fd, tmp = tempfile.mkstemp(suffix=".evtx", prefix="kqlhunt-")
        with os.fdopen(fd, "wb") as out, member.open() as src:
            shutil.copyfileobj(src, out, 1 << 20)
        path = tmp
    try:
        try:
            parser = evtx.PyEvtxParser(str(path), skip_errors=True)
        except (RuntimeError, OSError) as exc:
            raise FileError(f"corrupt EVTX file header ({exc}); nothing readable") from None
        from_evtx, to_row, loads = windows.from_evtx, windows.to_row, orjson.loads
        datas: list = []
        times: list = []
        ids: list = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            seen = nread = 0
            it = iter(parser.records_json())
            while True:
                try:
                    rec = next(it)
                except StopIteration:
                    break
                except RuntimeError as exc:  # unrecoverable despite skip_errors
                    yield None, f"EVTX parse stopped: {exc}"
                    break
                nread += 1
                if len(caught) > seen:
                    for w in caught[seen:]:
                        yield None, _evtx_reason(w)
                    seen = len(caught)
                if raw:
                    datas.append(rec["data"])
                    times.append(rec.get("timestamp"))
                    ids.append(rec.get("event_record_id"))
                    if len(datas) >= RAW_CHUNK:
                        yield RAW, (datas, times, ids)
                        datas, times, ids = [], [], []
                    continue
                try:
                    ev = from_evtx(loads(rec["data"]), rec.get("timestamp"))
                except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
                    yield None, f"record {rec.get('event_record_id')}: {exc}"
                    continue
                yield to_row(ev, sysmon_table)
            if datas:
                yield RAW, (datas, times, ids)
            if len(caught) > seen:
                for w in caught[seen:]:
                    yield None, _evtx_reason(w)
            if nread == 0 and seen == 0 and _announced_chunks(path) > 0:
                raise FileError("corrupt EVTX: the header announces chunks but none is readable")
    finally:
        if tmp:
            os.unlink(tmp)


def map_evtx_json(data: str, header_time, record_id, sysmon_table: str) -> Item:
    """Python mapping of one raw EVTX record (the reference for evtxsql, and its fallback)."""
    try:
        ev = windows.from_evtx(orjson.loads(data), header_time)
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        return None, f"record {record_id}: {exc}"
    return windows.to_row(ev, sysmon_table)


def _announced_chunks(path) -> int:
    with open(path, "rb") as f:
        head = f.read(44)
    return int.from_bytes(head[42:44], "little") if len(head) >= 44 else 0


def _evtx_reason(w) -> str:
    msg = str(w.message)
    if msg.startswith("Skipping EVTX data: "):
        msg = msg[len("Skipping EVTX data: "):]
    return f"unreadable EVTX data skipped: {msg}"


# ------------------------------------------------------------------------------------------
# JSON
def read_json(member: Member, sysmon_table: str, table_hint: str | None = None) -> Iterator[Item]:
    with member.open() as raw:
        stream = raw if hasattr(raw, "readline") else io.BufferedReader(raw)
        first = b""
        lineno = 0
        # find the first non-blank line to decide between JSON lines and a JSON document
        while True:
            line = stream.readline()
            if not line:
                return
            lineno += 1
            if line.strip():
                first = line
                break
        try:
            obj = orjson.loads(first)
            jsonl = isinstance(obj, dict)
        except orjson.JSONDecodeError:
            jsonl = False
        ctx: dict = {}
        if jsonl:
            yield from _records(obj, sysmon_table, table_hint, lineno, ctx)
            for line in stream:
                lineno += 1
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield None, f"line {lineno}: invalid JSON ({exc}){_trunc_hint(line)}"
                    continue
                yield from _records(obj, sysmon_table, table_hint, lineno, ctx)
            return
        # a JSON document (array, pretty-printed object(s), API result)
        rest = stream.read(MAX_DOCUMENT_BYTES + 1)
        if len(first) + len(rest) > MAX_DOCUMENT_BYTES:
            raise FileError("JSON document larger than 512 MB that is not JSON lines; "
                            "convert it to JSON lines (one record per line) and ingest that")
    text = (first + rest).decode("utf-8", errors="replace")
    yield from _documents(text, sysmon_table, table_hint)


def _trunc_hint(line: bytes) -> str:
    return " - truncated last record?" if not line.endswith(b"\n") else ""


def _documents(text: str, sysmon_table, table_hint) -> Iterator[Item]:
    import json

    dec = json.JSONDecoder()
    ctx: dict = {}
    i, n, docs = 0, len(text), 0
    while True:
        while i < n and text[i] in " \t\r\n\ufeff":
            i += 1
        if i >= n:
            break
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            if docs == 0:
                raise FileError(f"invalid JSON ({exc.msg} at line {exc.lineno} col {exc.colno}); "
                                "is the file truncated?") from None
            yield None, f"invalid JSON after document {docs} ({exc.msg} at line {exc.lineno}); truncated?"
            break
        docs += 1
        if isinstance(obj, dict) and isinstance(obj.get("tables"), list):
            yield from _api_result(obj, sysmon_table, table_hint)
        elif isinstance(obj, list):
            for k, rec in enumerate(obj):
                yield from _records(rec, sysmon_table, table_hint, k + 1, ctx)
        else:
            yield from _records(obj, sysmon_table, table_hint, docs, ctx)


def _api_result(obj: dict, sysmon_table, table_hint) -> Iterator[Item]:
    """Log Analytics query API result: {"tables":[{"columns":[{"name","type"}],"rows":[[...]]}]}"""
    for t in obj["tables"]:
        cols = [c.get("name") or c.get("ColumnName") for c in t.get("columns", [])]
        for k, r in enumerate(t.get("rows", [])):
            yield from _records(dict(zip(cols, r)), sysmon_table, table_hint, k + 1)


_DPE_KEYS = ("ProcessCommandLine", "InitiatingProcessId", "InitiatingProcessFileName")


def _is_table_name(s) -> bool:
    return isinstance(s, str) and s[:1].isalpha() and s.replace("_", "").isalnum()


def _records(rec, sysmon_table: str, table_hint: str | None, where, ctx: dict | None = None
             ) -> Iterator[Item]:
    if not isinstance(rec, dict):
        yield None, f"record {where}: not a JSON object"
        return
    if "TimeGenerated" in rec:  # a Log Analytics export row
        typ = rec.get("Type")
        if _is_table_name(typ):
            if ctx is not None:
                ctx["type"] = typ
            yield typ, _export_row(rec)
            return
        typ = table_hint or (ctx or {}).get("type")
        if typ:  # a row of the same export that lost its Type column
            row = dict(rec)
            row["Type"] = typ
            yield typ, _export_row(row)
            return
    ev = rec.get("Event")
    if isinstance(ev, dict) and isinstance(ev.get("System"), dict):
        try:
            yield windows.to_row(windows.from_evtx(rec), sysmon_table)
        except ValueError as exc:
            yield None, f"record {where}: {exc}"
        return
    if "DeviceName" in rec and any(k in rec for k in _DPE_KEYS):
        row = dict(rec)
        row.setdefault("TimeGenerated", rec.get("Timestamp"))
        row["Type"] = "DeviceProcessEvents"
        yield "DeviceProcessEvents", row
        return
    if "EventID" in rec and ("Channel" in rec or "SourceName" in rec):
        try:
            yield windows.to_row(windows.from_flat(rec), sysmon_table)
        except ValueError as exc:
            yield None, f"record {where}: {exc}"
        return
    if table_hint:
        yield table_hint, rec
        return
    yield None, (f"record {where}: unrecognised shape (no Type column, no Event.System, "
                 "no EventID+Channel, not DeviceProcessEvents); pass --table NAME to load it as is")


def _export_row(rec: dict) -> dict:
    # Log Analytics exports name dynamic columns *_dynamic sometimes (EventData_dynamic); keep as is
    if "TimeGenerated" in rec and isinstance(rec["TimeGenerated"], str) and rec["TimeGenerated"].endswith(" UTC"):
        rec = dict(rec)
        rec["TimeGenerated"] = rec["TimeGenerated"][:-4]
    return rec


# ------------------------------------------------------------------------------------------
# CSV
def read_csv(member: Member, table: str | None, sysmon_table: str,
             default_table: str | None = None) -> Iterator[Item]:
    """CSV with a header. Rows go to `table`, else by shape (Type column...), else to
    `default_table` (the file name)."""
    with member.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        first = text.readline()
        if not first:
            return
        try:
            dialect = csv.Sniffer().sniff(first, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(_chain([first], text), dialect)
        header = next(reader)
        ncol = len(header)
        for k, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != ncol:
                yield None, f"line {k}: {len(fields)} fields, header has {ncol}"
                continue
            rec = {h: (v if v != "" else None) for h, v in zip(header, fields)}
            if table:
                yield table, rec
            else:
                yield from _records(rec, sysmon_table, default_table, f"line {k}")


def _chain(a, b):
    yield from a
    yield from b
