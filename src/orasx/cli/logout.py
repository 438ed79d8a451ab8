"""``oras logout``."""

from __future__ import annotations

from orasx.cli._command import Command, exactly
from orasx.cli._common import handle_errors
from orasx.cli._options import CommonFlags, CommonOptions
from orasx.cli._pflag import Flag


@handle_errors
def run(common: CommonOptions, registry: str, registry_config: tuple[str, ...]) -> None:
    from orasx.api import Remote, logout

    logout(registry, remote=Remote(registry_config=registry_config))


command = Command(
    use='logout [flags] <registry>',
    long=("Log out from a remote registry\n"
        "\n"
        "Example - Log out from a registry:\n"
        "  oras logout localhost:5000\n"
        "\n"
        "Example - Log out from a registry with a custom auth config path:\n"
        "  oras logout --registry-config ~/.config/oras/auth.json localhost:5000"),
    args=exactly(1, 'the registry you want to log out'),
    params=('registry',),
    flags=(
        # -c and --config: the seed ORAS README's spellings (not in help, as Go has neither)
        Flag("registry-config", "auth config path", short="c", short_hidden=True,
             kind="stringArray", default=(), spellings=("config",)),
        CommonFlags(debug="debug mode", tty=False),
    ),
    run=run,
)
