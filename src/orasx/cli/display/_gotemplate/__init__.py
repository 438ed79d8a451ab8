"""An interpreter of Go's ``text/template`` (the language of ``--format go-template``).

It follows Go's ``text/template`` package (lexer, parser and executor) over the values a JSON
document decodes to in Go: ``None`` (nil), ``bool``, ``float`` (Go's float64: every JSON number),
``int`` (Go's int: numeric literals in the template, integer results of functions), ``str``,
``list`` (``[]interface {}``) and ``dict`` (``map[string]interface {}``). Printing follows Go's
``fmt`` (``map[a:1 b:2]`` with sorted keys, ``[x y]``, ``1e+06``), errors carry Go's messages
(``template: NAME:1:5: executing "NAME" at <.x.y>: ...``).

Functions come from the caller (:class:`Func`, the sprig set lives in :mod:`._template`); the Go
builtins (``and or not len index slice print printf println eq ne lt le gt ge html js urlquery
call``) are here. Execution is bounded: template recursion stops at :data:`MAX_DEPTH` and a run
at :data:`MAX_STEPS` evaluated nodes, so a hostile template cannot hang the command.

The parts, as Go's packages: ``_lexer`` (tokens), ``_nodes`` (the parse tree), ``_parser``,
``_funcs`` (Go's builtins, truth and comparisons), ``_exec`` (the executor and its bounds) and
``_fmt`` (Go's ``fmt``: ``%v`` and ``printf``); ``_values`` holds what they share.
"""

from __future__ import annotations

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate._exec import MAX_DEPTH, MAX_STEPS, execute
from orasx.cli.display._gotemplate._fmt import (
    fmt_v,
    format_float,
    key_order,
    sprint,
    sprintf,
    sprintln,
    type_name,
)
from orasx.cli.display._gotemplate._funcs import BUILTINS, CallError, Func, Kind, truth
from orasx.cli.display._gotemplate._lexer import unquote
from orasx.cli.display._gotemplate._parser import Tree, parse
from orasx.cli.display._gotemplate._values import Boxed, TemplateError, unbox

__all__ = [
    "BUILTINS", "MAX_DEPTH", "MAX_STEPS", "Boxed", "CallError", "Func", "Kind", "TemplateError",
    "Tree", "execute", "fmt_v", "format_float", "go_quote", "key_order", "parse", "sprint",
    "sprintf", "sprintln", "truth", "type_name", "unbox", "unquote",
]
