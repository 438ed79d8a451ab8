"""``oras login``."""

from __future__ import annotations

import sys

from orasx.cli._command import Command, GoUsageError, exactly
from orasx.cli._common import handle_errors
from orasx.cli._options import _NO_TTY_HIDDEN, RemoteFlags, RemoteOptions


@handle_errors
def run(remote: RemoteOptions, registry: str) -> None:
    from orasx.api import Remote, login
    from orasx.registry.auth import Credential

    credential = remote.credential(empty_stdin=True)
    if not (credential.password or credential.identity_token):  # none given, or stdin was empty
        # as the Go CLI: prompts on stdout, answers from stdin even when it is not a terminal
        username = credential.username or read_line("Username: ", secret=False).strip()
        if username:
            password = read_line("Password: ", secret=True)
            if not password:
                raise GoUsageError("password required")
            credential = Credential(username=username, password=password)
        else:
            token = read_line("Token: ", secret=True)
            if not token:
                raise GoUsageError("token required")
            credential = Credential(identity_token=token)
    check_registry(registry)  # after the prompts, as the Go CLI
    client = Remote(options=remote.client_options(), registry_config=remote.registry_config)
    login(registry, credential, remote=client)
    print("Login Succeeded")


def check_registry(registry: str) -> None:
    """Refuse what is not a registry host[:port] (a repository path, a scheme) as the Go CLI
    does (oras-go's ``ValidateRegistry``): ``invalid reference: invalid registry "<registry>"``."""
    import urllib.parse

    from orasx.errors import InvalidReferenceError

    try:
        netloc = urllib.parse.urlsplit(f"dummy://{registry}").netloc
    except ValueError:
        netloc = ""
    if not netloc or netloc != registry:
        quoted = registry.replace("\\", "\\\\").replace('"', '\\"')
        raise InvalidReferenceError(f'invalid reference: invalid registry "{quoted}"')


def read_line(prompt: str, *, secret: bool) -> str:
    """``prompt`` on stdout and one line from stdin (without its line end; ``""`` at EOF). On a
    terminal a secret is read without echo, and a newline follows it, as the Go CLI does."""
    if secret and sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    sys.stdout.write(prompt)
    sys.stdout.flush()
    return sys.stdin.readline().removesuffix("\n").removesuffix("\r")


command = Command(
    use='login [flags] <registry>',
    long=("Log in to a remote registry\n"
        "\n"
        "Example - Log in with username and password from command line flags:\n"
        "  oras login -u username -p password localhost:5000\n"
        "\n"
        "Example - Log in with username and password from stdin:\n"
        "  oras login -u username --password-stdin localhost:5000\n"
        "\n"
        "Example - Log in with identity token from command line flags:\n"
        "  oras login --identity-token token localhost:5000\n"
        "\n"
        "Example - Log in with identity token from stdin:\n"
        "  oras login --identity-token-stdin localhost:5000\n"
        "\n"
        "Example - Log in with username and password in an interactive terminal:\n"
        "  oras login localhost:5000\n"
        "\n"
        "Example - Log in with username and password in an interactive terminal and no TLS check:\n"
        "  oras login --insecure localhost:5000"),
    args=exactly(1, 'the registry to log in to'),
    params=('registry',),
    flags=(
        RemoteFlags(common=_NO_TTY_HIDDEN, seed_config=True),
    ),
    run=run,
)
