"""``oras logout``."""

from __future__ import annotations

import click

from orasx.cli._common import handle_errors
from orasx.cli._options import CommonOptions, common_options


@click.command("logout", help="Log out from a remote registry (removes its saved credentials).")
@click.argument("registry")
@click.option("--registry-config", multiple=True, metavar="PATH",
              help="Credentials file(s); the first is the one changed.")
@common_options(debug_help="Print debug logs.", tty=False)
@handle_errors
def command(common: CommonOptions, registry: str, registry_config: tuple[str, ...]) -> None:
    from orasx.api import Remote, logout

    logout(registry, remote=Remote(registry_config=registry_config))
