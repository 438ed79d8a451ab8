"""The one place the CLI sets up logging: ``-d`` sends the library's debug log (HTTP traffic
included) to stderr in the Go CLI's format; without it, the library's warnings are one line
each."""

from __future__ import annotations

import datetime
import logging
import sys

_DEBUG_HANDLER = "orasx-cli-debug"
_WARNING_HANDLER = "orasx-cli-warnings"


class GoLogFormatter(logging.Formatter):
    """A record as the Go CLI's debug log prints one: ``[time][LEVEL]: message`` and two blank
    lines, the time in RFC 3339 (local, fraction without trailing zeros, ``Z`` for UTC)."""

    def format(self, record: logging.LogRecord) -> str:
        t = datetime.datetime.fromtimestamp(record.created).astimezone()
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S")
        fraction = f"{t.microsecond:06d}".rstrip("0")
        stamp += f".{fraction}" if fraction else ""
        offset = t.strftime("%z")
        stamp += "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:5]}"
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return f"[{stamp}][{record.levelname}]: {message}\n\n"


def setup_logging(debug: bool) -> None:
    """With ``debug``, the library's log goes to stderr in the Go CLI's format (``[time][DEBUG]:
    message``, HTTP traffic as ``--> Request #N`` / ``<-- Response #N`` blocks). Calling it
    again replaces the handler, never doubles it."""
    log = logging.getLogger("orasx")
    if not debug:  # the library's warnings (a cache it cannot write...): one line each
        if not any(h.get_name() == _WARNING_HANDLER for h in log.handlers):
            warn = logging.StreamHandler(sys.stderr)
            warn.set_name(_WARNING_HANDLER)
            warn.setLevel(logging.WARNING)
            warn.setFormatter(logging.Formatter("Warning: %(message)s"))
            log.addHandler(warn)
        return
    for old in [h for h in log.handlers if h.get_name() in (_DEBUG_HANDLER, _WARNING_HANDLER)]:
        log.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_DEBUG_HANDLER)
    handler.setFormatter(GoLogFormatter())
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
