"""``oras login``."""

from __future__ import annotations

import sys

import click

from orasx.cli._common import handle_errors
from orasx.cli._options import RemoteOptions, remote_options

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
@remote_options()
@handle_errors
def command(remote: RemoteOptions, registry: str) -> None:
    from orasx.api import Remote, login
    from orasx.registry.auth import Credential

    interactive = sys.stdin.isatty()
    no_secret = not remote.has_secret
    credential = remote.credential()
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
    client = Remote(options=remote.client_options(), registry_config=remote.registry_config)
    plaintext = login(registry, credential, remote=client)
    if plaintext:
        path = client.credential_store().plaintext_path()
        click.echo(
            f"WARNING! Your credentials are stored unencrypted in '{path}'. Configure a "
            "credential helper (\"credsStore\" in that file) to store them securely.",
            err=True,
        )
    click.echo("Login Succeeded")
