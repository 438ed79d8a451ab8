"""What oras-go says of a layout directory it cannot open (``oci-layout`` and ``index.json``
checked before anything is read or written), in its words: backup and restore print them."""

from __future__ import annotations

import json
import os

#: The most of a layout file read to check it (index.json of a big layout included).
MAX_INDEX_BYTES = 64 * 1024 * 1024

_WS = b" \t\r\n"
_LITERALS = {ord("n"): b"null", ord("t"): b"true", ord("f"): b"false"}


class _Stop(Exception):
    pass


def _char(c: int) -> str:
    return "'\\''" if c == ord("'") else f"'{chr(c)}'" if 32 <= c < 127 else f"'\\x{c:02x}'"


def go_json_error(data: bytes) -> str:
    """The message Go's ``json.Decoder.Decode`` gives for ``data`` (one value), for the errors
    a damaged file shows: ``EOF``, ``unexpected EOF`` and ``invalid character ...``; another
    failure keeps Python's words."""
    pos = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(data) and data[pos] in _WS:
            pos += 1

    def need() -> int:
        if pos >= len(data):
            raise _Stop("unexpected EOF")
        return data[pos]

    def value(context: str) -> None:
        nonlocal pos
        skip()
        c = need()
        if c == ord("{"):
            pos += 1
            skip()
            if need() == ord("}"):
                pos += 1
                return
            while True:
                skip()
                if need() != ord('"'):
                    raise _Stop(f"invalid character {_char(data[pos])} looking for beginning of "
                                "object key string")
                string()
                skip()
                if need() != ord(":"):
                    raise _Stop(f"invalid character {_char(data[pos])} after object key")
                pos += 1
                value("beginning of value")
                skip()
                c = need()
                pos += 1
                if c == ord("}"):
                    return
                if c != ord(","):
                    raise _Stop(f"invalid character {_char(c)} after object key:value pair")
        elif c == ord("["):
            pos += 1
            skip()
            if need() == ord("]"):
                pos += 1
                return
            while True:
                value("beginning of value")
                skip()
                c = need()
                pos += 1
                if c == ord("]"):
                    return
                if c != ord(","):
                    raise _Stop(f"invalid character {_char(c)} after array element")
        elif c == ord('"'):
            string()
        elif c in _LITERALS:
            word = _LITERALS[c]
            for i, want in enumerate(word):
                got = need()
                if got != want:
                    raise _Stop(f"invalid character {_char(got)} in literal {word.decode()} "
                                f"(expecting {_char(want)})")
                pos += 1
                if i == len(word) - 1:
                    return
        elif c == ord("-") or ord("0") <= c <= ord("9"):
            start = pos
            while pos < len(data) and data[pos] in b"+-0123456789.eE":
                pos += 1
            if pos >= len(data):
                raise _Stop("unexpected EOF")
            try:
                float(data[start:pos])
            except ValueError:
                raise _Stop("invalid number") from None
        else:
            raise _Stop(f"invalid character {_char(c)} looking for {context}")

    def string() -> None:
        nonlocal pos
        pos += 1
        while True:
            c = need()
            pos += 1
            if c == ord("\\"):
                need()
                pos += 1
            elif c == ord('"'):
                return

    skip()
    if pos >= len(data):
        return "EOF"
    try:
        value("beginning of value")
    except _Stop as e:
        return str(e)
    try:
        json.loads(data)
    except ValueError as e:
        return str(e).split(":")[0]
    return ""


def layout_problem(path: str) -> str:
    """Why oras-go cannot open the layout directory ``path`` (``invalid OCI Image Layout: ...``,
    ``invalid OCI Image Index: ...``), or ``""``: a layout, or none yet (no ``oci-layout``)."""
    layout = os.path.join(path, "oci-layout")
    data = _read(layout)
    if data is not None:
        problem = go_json_error(data)
        if problem:
            return f"invalid OCI Image Layout: failed to decode OCI layout file: {problem}"
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("imageLayoutVersion") != "1.0.0":
            return "invalid OCI Image Layout: unsupported version"
    index = _read(os.path.join(path, "index.json"))
    if index is not None:
        problem = go_json_error(index)
        if problem:
            return f"invalid OCI Image Index: failed to decode index file: {problem}"
    return ""


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_INDEX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
