"""``oras completion bash|fish|powershell|zsh`` and the ``oras __complete`` protocol its scripts use.

The scripts are cobra's, as the Go CLI prints them (``_completion_scripts``); they ask the command
for candidates by running ``oras __complete <words...> <partial word>``, which prints one
``candidate<TAB>description`` per line, then ``:<directive>`` (cobra's ShellCompDirective bits: 4 =
no file completion, 0 = the shell's default), and ``Completion ended with directive: ...`` on
stderr.
"""

from __future__ import annotations

import click

from orasx.cli._cobra import go_facts, go_name
from orasx.cli._flags import flag

_SHELLS = ("bash", "fish", "powershell", "zsh")
_DIRECTIVES = {0: "ShellCompDirectiveDefault", 4: "ShellCompDirectiveNoFileComp"}


@click.group("completion")
def command() -> None:
    """Generate the autocompletion script for oras for the specified shell."""


def _script_command(shell: str) -> click.Command:
    @click.command(shell, help=f"Generate the autocompletion script for {shell}")
    @flag("--no-descriptions", help="disable completion descriptions")
    def generate(no_descriptions: bool) -> None:
        from orasx.cli._completion_scripts import SCRIPTS

        script = SCRIPTS[shell]
        if no_descriptions:
            script = script.replace(" __complete ", " __completeNoDesc ")
        click.echo(script, nl=False)

    return generate


for _shell in _SHELLS:
    command.add_command(_script_command(_shell))


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].split(" (default ", 1)[0]


def complete(root: click.Group, words: list[str], *, descriptions: bool = True,
             ) -> tuple[str, str]:
    """The ``__complete`` answer for ``words`` (the last one is the word being completed) and the
    directive's name."""
    *done, partial = words or [""]
    ctx = click.Context(root, info_name="oras", resilient_parsing=True)
    command: click.Command = root
    path: list[str] = []
    for word in done:
        if word.startswith("-") or not isinstance(command, click.Group):
            continue
        child = command.get_command(ctx, word)
        if child is None:
            break
        command = child
        path.append(go_name(child))
        ctx = click.Context(child, info_name=word, parent=ctx, resilient_parsing=True)
    rows: list[tuple[str, str]] = []
    directive = 0
    if partial.startswith("-"):
        facts = go_facts(" ".join(path)).get("flags") or {}
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option) or param.hidden:
                continue
            for opt in param.opts:
                if opt.startswith("--") and opt.startswith(partial):
                    left_usage = facts.get(opt[2:])
                    usage = left_usage[1] if left_usage else (param.help or "")
                    rows.append((opt, _first_line(usage)))
        rows.sort()
        directive = 4
    elif isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            if child is None or child.hidden:
                continue
            gname = go_name(child)
            if gname.startswith(partial):
                short = go_facts(" ".join([*path, gname])).get("short") or child.get_short_help_str()
                rows.append((gname, str(short)))
        rows.sort()
        directive = 4
    lines = [f"{c}\t{d}" if descriptions and d else c for c, d in rows]
    return "".join(f"{line}\n" for line in lines) + f":{directive}\n", _DIRECTIVES[directive]


def run_complete(root: click.Group, words: list[str], *, descriptions: bool) -> None:
    """Print the ``__complete`` answer (stdout) and cobra's trailer (stderr)."""
    out, name = complete(root, words, descriptions=descriptions)
    click.echo(out, nl=False)
    click.echo(f"Completion ended with directive: {name}", err=True)
