"""The sprig functions (``sprig.TxtFuncMap``) the template engine offers, by name, and the ones it
refuses by name (clock, environment, network, randomness, crypto...)."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import zlib

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate import CallError, Func, fmt_v, key_order, type_name, unbox
from orasx.cli.display._sprig_lists import (
    _chunk,
    _dict,
    _dig,
    _first,
    _has,
    _initial,
    _last,
    _rest,
    _seq,
    _set,
    _sprig_slice,
    _uniq,
    _until_step,
    _without,
)
from orasx.cli.display._sprig_text import (
    _find_all,
    _path_base,
    _path_ext,
    _regex_match,
    _regex_replace,
    _regex_split,
    _regexp,
    _repeat,
    _replace,
    _split,
    _splitn,
    _sub_str,
    _title,
    _trunc,
)
from orasx.cli.display._sprig_values import (
    _as_list,
    _atoi,
    _b32dec,
    _b64dec,
    _decimal_op,
    _deep_equal,
    _div,
    _kind_of,
    _mod,
    _mul,
    _must_from_json,
    _quiet,
    _round,
    _safe_json,
    empty,
    go_json,
    strslice,
    strval,
    to_float64,
    to_int64,
)

#: Sprig functions not implemented here: refused by name, not as unknown.
_SPRIG_UNSUPPORTED = frozenset("""
ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
initials randAlphaNum randAlpha randAscii randNumeric randSeededNumeric swapcase shuffle
snakecase camelcase kebabcase wrap wrapWith toDecimal randInt deepCopy mustDeepCopy env
expandenv getHostByName dir clean isAbs osBase osClean osDir osExt osIsAbs merge mergeOverwrite
mustMerge mustMergeOverwrite mustChunk bcrypt htpasswd genPrivateKey derivePassword
buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare urlParse
urlJoin
""".split())  # noqa: SIM905 - a word list


A = "any"


S = "string"


INT = "int"


#: The sprig functions (sprig.TxtFuncMap) this interpreter has.
SPRIG: dict[str, Func] = {
    "default": Func(lambda d, *g: unbox(d) if not g or empty(g[0]) else unbox(g[0]), (A, A), True),
    "empty": Func(empty, (A,)),
    "coalesce": Func(lambda *v: next((unbox(x) for x in v if not empty(x)), None), (A,), True),
    "all": Func(lambda *v: all(not empty(x) for x in v), (A,), True),
    "any": Func(lambda *v: any(not empty(x) for x in v), (A,), True),
    "ternary": Func(lambda t, f, c: unbox(t) if c else unbox(f), (A, A, "bool")),
    "first": Func(_first, (A,)),
    "last": Func(_last, (A,)),
    "rest": Func(_rest, (A,)),
    "initial": Func(_initial, (A,)),
    "reverse": Func(lambda v: _as_list(v, "find reverse")[::-1], (A,)),
    "append": Func(lambda v, x: [*_as_list(v, "push"), unbox(x)], (A, A)),
    "push": Func(lambda v, x: [*_as_list(v, "push"), unbox(x)], (A, A)),
    "prepend": Func(lambda v, x: [unbox(x), *_as_list(v, "prepend")], (A, A)),
    "uniq": Func(_uniq, (A,)),
    "compact": Func(lambda v: [x for x in _as_list(v, "compact") if not empty(x)], (A,)),
    "has": Func(_has, (A, A)),
    "without": Func(_without, (A, A), True),
    "slice": Func(_sprig_slice, (A, A), True),
    "concat": Func(lambda *ls: [x for v in ls for x in _as_list(v, "concat")], (A,), True),
    "join": Func(lambda sep, v: sep.join(strslice(v)), (S, A)),
    "split": Func(lambda sep, s: {f"_{i}": p for i, p in enumerate(_split(s, sep))}, (S, S)),
    "splitList": Func(lambda sep, s: _split(s, sep), (S, S)),
    "toStrings": Func(strslice, (A,)),
    "sortAlpha": Func(lambda v: sorted(strslice(v), key=key_order)
                      if isinstance(unbox(v), (list, tuple)) else [strval(v)], (A,)),
    "trim": Func(lambda s: s.strip(" \t\n\r\v\f\x85\xa0"), (S,)),
    "trimAll": Func(lambda cut, s: s.strip(cut), (S, S)),
    "trimall": Func(lambda cut, s: s.strip(cut), (S, S)),
    "trimPrefix": Func(lambda p, s: s[len(p):] if s.startswith(p) else s, (S, S)),
    "trimSuffix": Func(lambda p, s: s[:len(s) - len(p)] if p and s.endswith(p) else s, (S, S)),
    "nospace": Func(lambda s: "".join(c for c in s if not c.isspace()), (S,)),
    "upper": Func(lambda s: "".join(c.upper() if len(c.upper()) == 1 else c for c in s), (S,)),
    "lower": Func(lambda s: "".join(c.lower() if len(c.lower()) == 1 else c for c in s), (S,)),
    "title": Func(_title, (S,)),
    "untitle": Func(lambda s: s[:1].lower() + s[1:], (S,)),
    "substr": Func(_sub_str, (INT, INT, S)),
    "trunc": Func(_trunc, (INT, S)),
    "repeat": Func(_repeat, (INT, S)),
    "contains": Func(lambda sub, s: sub in s, (S, S)),
    "hasPrefix": Func(lambda p, s: s.startswith(p), (S, S)),
    "hasSuffix": Func(lambda p, s: s.endswith(p), (S, S)),
    "replace": Func(lambda old, new, s: _replace(s, old, new), (S, S, S)),
    "quote": Func(lambda *v: " ".join(go_quote(strval(x)) for x in v if unbox(x) is not None),
                  (A,), True),
    "squote": Func(lambda *v: " ".join(f"'{fmt_v(x)}'" for x in v if unbox(x) is not None),
                   (A,), True),
    "cat": Func(lambda *v: " ".join(fmt_v(x) for x in v if unbox(x) is not None), (A,), True),
    "indent": Func(lambda n, s: " " * n + s.replace("\n", "\n" + " " * n), (INT, S)),
    "nindent": Func(lambda n, s: "\n" + " " * n + s.replace("\n", "\n" + " " * n), (INT, S)),
    "plural": Func(lambda one, many, n: one if n == 1 else many, (S, S, INT)),
    "toString": Func(strval, (A,)),
    "toJson": Func(lambda v: _safe_json(v, "", True), (A,)),
    "toPrettyJson": Func(lambda v: _safe_json(v, "  ", True), (A,)),
    "toRawJson": Func(lambda v: _safe_json(v, "", False), (A,)),
    "mustToJson": Func(lambda v: go_json(v), (A,)),
    "mustToPrettyJson": Func(lambda v: go_json(v, "  "), (A,)),
    "mustToRawJson": Func(lambda v: go_json(v, "", False), (A,)),
    "fromJson": Func(_quiet(_must_from_json, None), (S,)),
    "list": Func(lambda *v: [unbox(x) for x in v], (A,), True),
    "tuple": Func(lambda *v: [unbox(x) for x in v], (A,), True),
    "dict": Func(_dict, (A,), True),
    "get": Func(lambda d, k: (d or {}).get(k, ""), ("map", S)),
    "set": Func(_set, ("map", S, A)),
    "unset": Func(lambda d, k: (d.pop(k, None), d)[1] if d is not None else d, ("map", S)),
    "hasKey": Func(lambda d, k: k in (d or {}), ("map", S)),
    "pluck": Func(lambda k, *ds: [d[k] for d in ds if d is not None and k in d], (S, "map"),
                  True),
    "keys": Func(lambda *ds: sorted((k for d in ds if d for k in d), key=key_order),
                 ("map",), True),
    "values": Func(lambda d: [d[k] for k in sorted(d or {}, key=key_order)], ("map",)),
    "pick": Func(lambda d, *ks: {k: d[k] for k in ks if d and k in d}, ("map", S), True),
    "omit": Func(lambda d, *ks: {k: v for k, v in (d or {}).items() if k not in ks},
                 ("map", S), True),
    "add": Func(lambda *v: sum(to_int64(x) for x in v), (A,), True),
    "add1": Func(lambda v: to_int64(v) + 1, (A,)),
    "sub": Func(lambda a, b: to_int64(a) - to_int64(b), (A, A)),
    "mul": Func(_mul, (A, A), True),
    "div": Func(_div, (A, A)),
    "mod": Func(_mod, (A, A)),
    "max": Func(lambda a, *r: max([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "biggest": Func(lambda a, *r: max([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "min": Func(lambda a, *r: min([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "int": Func(to_int64, (A,)),
    "int64": Func(to_int64, (A,)),
    "float64": Func(to_float64, (A,)),
    "atoi": Func(_atoi, (S,)),
    "b64enc": Func(lambda s: base64.b64encode(s.encode("utf-8", "surrogatepass")).decode(), (S,)),
    "b64dec": Func(_b64dec, (S,)),
    "sha256sum": Func(lambda s: hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest(),
                      (S,)),
    "sha1sum": Func(lambda s: hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest(),
                    (S,)),
    "until": Func(lambda n: _until_step(0, n, 1 if n >= 0 else -1), (INT,)),
    "untilStep": Func(_until_step, (INT, INT, INT)),
    "seq": Func(_seq, (INT,), True),
    "base": Func(_path_base, (S,)),
    "ext": Func(_path_ext, (S,)),
    "fail": Func(lambda msg: (_ for _ in ()).throw(CallError(msg)), (S,)),
    "hello": Func(lambda: "Hello!", ()),
    "regexMatch": Func(_quiet(_regex_match, False), (S, S)),
    "mustRegexMatch": Func(_regex_match, (S, S)),
    "regexFind": Func(lambda e, s: next((m.group(0) for m in _find_all(_regexp(e), s, 1)), ""),
                      (S, S)),
    "regexFindAll": Func(lambda e, s, n: [m.group(0) for m in _find_all(_regexp(e), s, n)],
                         (S, S, INT)),
    "regexReplaceAll": Func(lambda e, s, r: _regex_replace(e, s, r, False), (S, S, S)),
    "regexReplaceAllLiteral": Func(lambda e, s, r: _regex_replace(e, s, r, True), (S, S, S)),
    "regexSplit": Func(_regex_split, (S, S, INT)),
    "regexQuoteMeta": Func(lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s), (S,)),
    "mustFromJson": Func(_must_from_json, (S,)),
    "deepEqual": Func(_deep_equal, (A, A)),
    "typeOf": Func(type_name, (A,)),
    "typeIs": Func(lambda t, v: t == type_name(v), (S, A)),
    "typeIsLike": Func(lambda t, v: t in (type_name(v), "*" + type_name(v)), (S, A)),
    "kindOf": Func(_kind_of, (A,)),
    "kindIs": Func(lambda k, v: k == _kind_of(v), (S, A)),
    "dig": Func(_dig, (A,), True),
    "chunk": Func(_chunk, (INT, A)),
    "splitn": Func(_splitn, (S, INT, S)),
    "ceil": Func(lambda v: float(math.ceil(to_float64(v))), (A,)),
    "floor": Func(lambda v: float(math.floor(to_float64(v))), (A,)),
    "round": Func(_round, (A, INT, "float"), True),
    "add1f": Func(lambda v: _decimal_op("+")(v, 1.0), (A,)),
    "addf": Func(lambda *v: _decimal_op("+")(0.0, *v), (A,), True),
    "subf": Func(_decimal_op("-"), (A, A), True),
    "mulf": Func(_decimal_op("*"), (A, A), True),
    "divf": Func(_decimal_op("/"), (A, A), True),
    "maxf": Func(lambda a, *r: max([to_float64(a), *(to_float64(x) for x in r)]), (A, A), True),
    "minf": Func(lambda a, *r: min([to_float64(a), *(to_float64(x) for x in r)]), (A, A), True),
    "b32enc": Func(lambda s: base64.b32encode(s.encode("utf-8", "surrogatepass")).decode(), (S,)),
    "b32dec": Func(_b32dec, (S,)),
    "adler32sum": Func(lambda s: str(zlib.adler32(s.encode("utf-8", "surrogatepass"))), (S,)),
}


for _name in ("First", "Rest", "Last", "Initial", "Reverse", "Uniq", "Without", "Has", "Slice",
              "Append", "Push", "Prepend", "Compact", "RegexFind", "RegexFindAll",
              "RegexReplaceAll", "RegexReplaceAllLiteral", "RegexSplit"):
    SPRIG["must" + _name] = SPRIG[_name[0].lower() + _name[1:]]
