"""What commands print, one handler per output format, as the Go CLI's ``display`` package.

A command builds its handler from ``--format`` (``push.handler(fmt)``) and calls it with the
library's typed result (``handler.on_pushed(result)``); the handler prints it as text (the Go
CLI's lines), or as a document: indented JSON (``--format json``) or through a template
(``--format go-template``). One module per command family: :mod:`.push`, :mod:`.pull`,
:mod:`.graph` (attach, discover, copy, tag, resolve), :mod:`.manifest`, :mod:`.blob`,
:mod:`.repo`, :mod:`.backup`; :mod:`._base` holds the document writers, :mod:`._template` the
template language. Status and progress lines while a transfer runs are ``cli/_progress.py``'s.
"""
