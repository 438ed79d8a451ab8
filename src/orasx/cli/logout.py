"""``oras logout``."""

from __future__ import annotations

from typing import Any

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag


@click.command("logout", help="Log out from a remote registry (removes its saved credentials).")
@click.argument("registry")
@click.option("--registry-config", multiple=True, metavar="PATH",
              help="Credentials file(s); the first is the one changed.")
@flag("-d", "--debug", help="Print debug logs.")
@handle_errors
def command(**kw: Any) -> None:
    from orasx.api import Remote, logout

    logout(kw["registry"], remote=Remote(registry_config=tuple(kw["registry_config"])))
