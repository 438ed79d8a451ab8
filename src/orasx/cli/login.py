"""``oras login``."""

from __future__ import annotations

import sys
from typing import Any

import click

from orasx.cli._common import (
    auth_options,
    build_credential,
    build_options,
    connection_options,
    handle_errors,
)

_HELP = """Log in to a remote registry.

\b
The credentials are checked against the registry before they are saved, in the credential
helper configured in config.json (credsStore/credHelpers) or, failing that, in config.json itself
(with a warning). Without -u/-p on a terminal, you are asked for them; an empty username asks
for an identity token.

\b
Examples:
  oras login -u username --password-stdin localhost:5000 < password.txt
  oras login --identity-token-stdin registry.example.com < token.txt
"""


@click.command("login", help=_HELP)
@click.argument("registry")
@auth_options
@connection_options
@handle_errors
def command(**kw: Any) -> None:
    from orasx.api import Remote, login
    from orasx.registry.auth import Credential

    registry = kw.pop("registry")
    interactive = sys.stdin.isatty()
    no_secret = not (kw["password"] or kw["password_stdin"] or kw["identity_token"]
                     or kw["identity_token_stdin"])
    credential = build_credential(kw)
    if no_secret:
        if not interactive:
            raise click.UsageError(
                "no credentials: pass -u with --password-stdin, or --identity-token-stdin")
        username = credential.username or click.prompt("Username", default="", show_default=False,
                                                       err=True)
        if username:
            password = click.prompt("Password", hide_input=True, err=True)
            credential = Credential(username=username, password=password)
        else:
            credential = Credential(identity_token=click.prompt("Token", hide_input=True,
                                                                err=True))
    remote = Remote(options=build_options(kw), registry_config=tuple(kw.pop("registry_config")))
    plaintext = login(registry, credential, remote=remote)
    if plaintext:
        path = remote.credential_store().plaintext_path()
        click.echo(
            f"WARNING! Your credentials are stored unencrypted in '{path}'. Configure a "
            "credential helper (\"credsStore\" in that file) to store them securely.",
            err=True,
        )
    click.echo("Login Succeeded")
