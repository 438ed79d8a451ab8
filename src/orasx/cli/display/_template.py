"""``--format go-template``: Go's ``text/template`` with the sprig functions, as the Go CLI.

The Go CLI turns a result into JSON and back (so every number is a float64, every object a
``map[string]interface {}``) and runs the template, named ``format output``, with sprig's
``TxtFuncMap``. :func:`render` does the same with :mod:`._gotemplate` (the language) and the sprig
functions in :data:`._sprig.SPRIG` (implemented in ``_sprig_values``, ``_sprig_text`` and
``_sprig_lists``); ``tests/cli/test_gotemplate.py`` holds the Go CLI's outputs it matches.

Differences from Go, on purpose: ``keys`` and ``values`` come in key order (Go's map order is
random); template recursion stops at depth 200 (Go: 100000) and a run after
:data:`._gotemplate.MAX_STEPS` steps; the sprig functions that read the clock, the environment, the
network or randomness, and the crypto, semver, url and some text helpers, are refused by name
(``function "now" is not supported by this oras``). Regular expressions run on Python's ``re``
(Go's RE2 syntax agrees for common patterns; a bad pattern's error is worded by Python).
"""

from __future__ import annotations

from orasx._gostr import go_quote
from orasx.cli._command import GoUsageError
from orasx.cli.display._base import JSONValue
from orasx.cli.display._gotemplate import BUILTINS, execute, parse
from orasx.cli.display._gotemplate import TemplateError as GoTemplateError
from orasx.cli.display._sprig import _SPRIG_UNSUPPORTED, SPRIG
from orasx.cli.display._sprig_values import _go_values

#: The Go CLI's name for the template (it appears in error messages).
NAME = "format output"


class TemplateError(GoUsageError):
    """A template that does not parse or fails to run: ``Error: template: ...``, exit 1.
    ``partial`` is the output written before an execution error (the Go CLI prints it)."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


def render(template: str, data: JSONValue) -> str:
    """Render ``template`` (Go text/template with sprig) against the document ``data``."""
    try:
        templates = parse(template, NAME, _function_problem)
        return execute(templates, NAME, template, _go_values(data), SPRIG)
    except GoTemplateError as e:
        raise TemplateError(str(e), e.partial) from None


def _function_problem(name: str) -> str | None:
    if name in SPRIG or name in BUILTINS:
        return None
    if name in _SPRIG_UNSUPPORTED:
        return f"function {go_quote(name)} is not supported by this oras"
    return f"function {go_quote(name)} not defined"
