"""What every part of the template engine shares: its error and the boxed value."""

from __future__ import annotations


class TemplateError(Exception):
    """A parse or execution error, with Go's message; ``partial`` is what an execution wrote
    before it failed (Go streams it out)."""

    partial = ""


class Boxed:
    """A value still inside its ``interface {}`` (a map entry or list element met on the way):
    Go reports field access through a nil one as an error, not ``<no value>``."""

    __slots__ = ("v",)

    def __init__(self, v: object) -> None:
        self.v = v


def unbox(v: object) -> object:
    return v.v if isinstance(v, Boxed) else v


#: No final argument from the pipeline.
MISSING = object()
