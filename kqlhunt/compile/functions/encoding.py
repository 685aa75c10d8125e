"""base64, URL, hex and hash functions (query/base64-*-function.md, url-*-function.md, tohex-function.md,
hash-*-function.md). Text is encoded as UTF-8, as Kusto does."""
from __future__ import annotations

from ..types import E
from . import scalar


def _s(a, i: int) -> str:
    return a.ec.nn(a[i])


def _string_only(a, i: int = 0) -> str:
    e = a[i]
    if e.type != "string":
        # Kusto hashes/encodes non-strings from their own binary form, which we do not reproduce
        raise a.unsupported(f"{a.call.name}() of a {e.type} value")
    return _s(a, i)


@scalar("base64_encode_tostring", "base64_encodestring")
def f_base64_encode_tostring(a):
    a.check(1)
    return E(f"to_base64(encode({_string_only(a)}))", "string", True)


@scalar("base64_decode_tostring", "base64_decodestring")
def f_base64_decode_tostring(a):
    """Invalid base64, or bytes that are not UTF-8, give "" (base64-decode-tostring-function.md example)."""
    a.check(1)
    return E(f"coalesce(try(decode(from_base64({_s(a, 0)}))), '')", "string", True)


@scalar("base64_decode_toarray")
def f_base64_decode_toarray(a):
    """The decoded bytes as an array of longs; invalid base64 gives null."""
    a.check(1)
    h = f"hex(try(from_base64({_s(a, 0)})))"
    return E(f"CASE WHEN {h} IS NULL THEN NULL ELSE to_json(list_transform(range(0, length({h}), 2), "
             f"lambda i: CAST(('0x' || substr({h}, i + 1, 2)) AS BIGINT))) END", "dynamic")


@scalar("base64_encode_fromarray")
def f_base64_encode_fromarray(a):
    a.check(1)
    j = a.ec.to_json(a[0]).sql
    nums = f"CAST(json_extract({j}, '$[*]') AS BIGINT[])"
    return E(f"CASE WHEN json_type({j}) <> 'ARRAY' OR list_bool_or(list_transform({nums}, lambda b: b < 0 OR b > 255 OR b IS NULL)) "
             f"THEN NULL ELSE to_base64(unhex(array_to_string(list_transform({nums}, lambda b: lpad(to_hex(b), 2, '0')), ''))) END",
             "string")


def _guid_hex_le(g: str) -> str:
    """32 hex digits of a guid's text in .NET byte order (first three groups little-endian)."""
    h = f"replace({g}, '-', '')"
    parts = [f"substr({h}, {p}, 2)" for p in (7, 5, 3, 1, 11, 9, 15, 13)]
    return "concat(" + ", ".join(parts) + f", substr({h}, 17, 16))"


@scalar("base64_encode_fromguid")
def f_base64_encode_fromguid(a):
    a.check(1)
    e = a[0]
    if e.type not in ("guid",):
        raise a.error("base64_encode_fromguid(): the argument must be a guid")
    return E(f"to_base64(unhex({_guid_hex_le(e.sql)}))", "string")


@scalar("base64_decode_toguid")
def f_base64_decode_toguid(a):
    a.check(1)
    h = f"lower(hex(try(from_base64({_s(a, 0)}))))"
    p = [f"substr({h}, {i}, 2)" for i in range(1, 33, 2)]
    text = (f"concat({p[3]}, {p[2]}, {p[1]}, {p[0]}, '-', {p[5]}, {p[4]}, '-', {p[7]}, {p[6]}, '-', {p[8]}, {p[9]}, '-', "
            f"{', '.join(p[10:16])})")
    return E(f"CASE WHEN length({h}) = 32 THEN {text} END", "guid")


# url_encode: .NET HttpUtility.UrlEncode: letters, digits and -_.!*() stay, space -> '+', the rest as %xx (lower-case
# hex) of the UTF-8 bytes. url_encode_component: the same with space -> %20.
def _url_encode(x: str, space: str) -> str:
    return (f"array_to_string(list_transform(string_split({x}, ''), lambda ch: CASE "
            f"WHEN regexp_matches(ch, '^[A-Za-z0-9_.!*()-]$') THEN ch WHEN ch = ' ' THEN '{space}' "
            f"ELSE lower(replace(url_encode(ch), '~', '%7E')) END), '')")


@scalar("url_encode")
def f_url_encode(a):
    a.check(1)
    return E(_url_encode(_s(a, 0), "+"), "string", True)


@scalar("url_encode_component")
def f_url_encode_component(a):
    a.check(1)
    return E(_url_encode(_s(a, 0), "%20"), "string", True)


@scalar("url_decode")
def f_url_decode(a):
    """url-decode-function.md: %xx sequences (and '+' as a space, as .NET's UrlDecode) back to text."""
    a.check(1)
    x = _s(a, 0)
    return E(f"coalesce(try(url_decode(replace({x}, '+', ' '))), '')", "string", True)


@scalar("tohex")
def f_tohex(a):
    """tohex-function.md: lower-case hex, two's complement for negatives (32-bit for int, 64-bit for long),
    left-padded with zeros to minLength."""
    a.check(1, 2)
    e = a[0]
    if e.type == "int":
        v = f"to_hex(CAST(CASE WHEN {e.sql} < 0 THEN CAST({e.sql} AS BIGINT) + 4294967296 ELSE {e.sql} END AS BIGINT))"
    elif e.type == "long":
        v = f"to_hex(CAST({e.sql} AS BIGINT))"
    else:
        raise a.error("tohex(): the value must be an int or a long")
    v = f"lower({v})"
    if len(a) == 2:
        m = a[1].sql
        v = f"CASE WHEN length({v}) >= {m} THEN {v} ELSE lpad({v}, CAST({m} AS INTEGER), '0') END"
    return E(v, "string")


@scalar("hash_sha256")
def f_hash_sha256(a):
    a.check(1)
    return E(f"sha256({_string_only(a)})", "string", True)


@scalar("hash_sha1")
def f_hash_sha1(a):
    a.check(1)
    return E(f"sha1({_string_only(a)})", "string", True)


@scalar("hash_md5")
def f_hash_md5(a):
    a.check(1)
    return E(f"md5({_string_only(a)})", "string", True)


@scalar("hash")
def f_hash(a):
    """hash-function.md: xxhash64 of the value. Exact for a constant string (computed here, checked against the
    page's example); a column needs xxhash64 in SQL, which we do not have."""
    a.check(1, 2)
    e = a[0]
    if not (e.is_const and e.type == "string"):
        raise a.unsupported("hash() of a non-constant or non-string value (xxhash64 is not available in SQL)")
    h = xxh64((e.const or "").encode("utf-8"))
    h = h - (1 << 64) if h >= 1 << 63 else h
    if len(a) == 2:
        m = a[1]
        if not m.is_const:
            raise a.unsupported("hash() with a non-constant modulo")
        mod = int(m.const)
        if mod <= 0:
            raise a.error("hash(): the modulo must be positive")
        if h < 0:
            raise a.unsupported("hash() with a modulo of a negative hash (signed or unsigned remainder is undocumented)")
        h = h % mod
    return a.ec.const(h, "long")


_P1, _P2, _P3, _P4, _P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                           0x27D4EB2F165667C5)
_M = (1 << 64) - 1


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _M, 31) * _P1) & _M


def _merge(acc: int, val: int) -> int:
    return ((acc ^ _round(0, val)) * _P1 + _P4) & _M


def xxh64(data: bytes, seed: int = 0) -> int:
    n = len(data)
    i = 0
    if n >= 32:
        v = [(seed + _P1 + _P2) & _M, (seed + _P2) & _M, seed & _M, (seed - _P1) & _M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], int.from_bytes(data[i + 8 * k:i + 8 * k + 8], "little"))
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M
        for k in range(4):
            h = _merge(h, v[k])
    else:
        h = (seed + _P5) & _M
    h = (h + n) & _M
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(data[i:i + 8], "little"))
        h = (_rotl(h, 27) * _P1 + _P4) & _M
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i:i + 4], "little") * _P1) & _M
        h = (_rotl(h, 23) * _P2 + _P3) & _M
        i += 4
    while i < n:
        h ^= (data[i] * _P5) & _M
        h = (_rotl(h, 11) * _P1) & _M
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M
    h ^= h >> 29
    h = (h * _P3) & _M
    h ^= h >> 32
    return h
