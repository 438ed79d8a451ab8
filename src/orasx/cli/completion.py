"""``oras completion bash|fish|powershell|zsh`` and the ``oras __complete`` protocol its scripts use.

The scripts are cobra's, as the Go CLI prints them (``_completion_scripts``); they ask the command
for candidates by running ``oras __complete <words...> <partial word>``, which prints one
``candidate<TAB>description`` per line, then ``:<directive>`` (cobra's ShellCompDirective bits: 4 =
no file completion, 0 = the shell's default), and ``Completion ended with directive: ...`` on
stderr. Candidates come from the commands' tables: subcommands, and flags with their usage.
"""

from __future__ import annotations

import sys

from orasx.cli._command import Command, no_args
from orasx.cli._pflag import Flag

_DIRECTIVES = {0: "ShellCompDirectiveDefault", 4: "ShellCompDirectiveNoFileComp"}


def _script(shell: str, long: str, use: str) -> Command:
    def generate(no_descriptions: bool) -> None:
        from orasx.cli._completion_scripts import SCRIPTS

        script = SCRIPTS[shell]
        if no_descriptions:
            script = script.replace(" __complete ", " __completeNoDesc ")
        sys.stdout.write(script)

    return Command(use=use, short=f"Generate the autocompletion script for {shell}", long=long,
                   args=no_args, run=generate,
                   flags=(Flag("no-descriptions", "disable completion descriptions"),))


command = Command(
    use="completion [command]",
    long=("Generate the autocompletion script for oras for the specified shell.\n"
        "See each sub-command's help for details on how to use the generated script."),
    commands=(
        _script("bash", ("Generate the autocompletion script for the bash shell.\n"
        "\n"
        "This script depends on the 'bash-completion' package.\n"
        "If it is not installed already, you can install it via your OS's package manager.\n"
        "\n"
        "To load completions in your current shell session:\n"
        "\n"
        "\tsource <(oras completion bash)\n"
        "\n"
        "To load completions for every new session, execute once:\n"
        "\n"
        "#### Linux:\n"
        "\n"
        "\toras completion bash > /etc/bash_completion.d/oras\n"
        "\n"
        "#### macOS:\n"
        "\n"
        "\toras completion bash > $(brew --prefix)/etc/bash_completion.d/oras\n"
        "\n"
        "You will need to start a new shell for this setup to take effect."), "bash"),
        _script("fish", ("Generate the autocompletion script for the fish shell.\n"
        "\n"
        "To load completions in your current shell session:\n"
        "\n"
        "\toras completion fish | source\n"
        "\n"
        "To load completions for every new session, execute once:\n"
        "\n"
        "\toras completion fish > ~/.config/fish/completions/oras.fish\n"
        "\n"
        "You will need to start a new shell for this setup to take effect."), "fish [flags]"),
        _script("powershell", ("Generate the autocompletion script for powershell.\n"
        "\n"
        "To load completions in your current shell session:\n"
        "\n"
        "\toras completion powershell | Out-String | Invoke-Expression\n"
        "\n"
        "To load completions for every new session, add the output of the above command\n"
        "to your powershell profile."), "powershell [flags]"),
        _script("zsh", ("Generate the autocompletion script for the zsh shell.\n"
        "\n"
        "If shell completion is not already enabled in your environment you will need\n"
        "to enable it.  You can execute the following once:\n"
        "\n"
        '\techo "autoload -U compinit; compinit" >> ~/.zshrc\n'
        "\n"
        "To load completions in your current shell session:\n"
        "\n"
        "\tsource <(oras completion zsh)\n"
        "\n"
        "To load completions for every new session, execute once:\n"
        "\n"
        "#### Linux:\n"
        "\n"
        '\toras completion zsh > "${fpath[1]}/_oras"\n'
        "\n"
        "#### macOS:\n"
        "\n"
        "\toras completion zsh > $(brew --prefix)/share/zsh/site-functions/_oras\n"
        "\n"
        "You will need to start a new shell for this setup to take effect."), "zsh [flags]"),
    ),
)


def complete(root: Command, words: list[str], *, descriptions: bool = True) -> tuple[str, str]:
    """The ``__complete`` answer for ``words`` (the last one is the word being completed) and the
    directive's name."""
    *done, partial = words or [""]
    current = root
    for word in done:
        if word.startswith("-") or not current.commands:
            continue
        child = current.find(word)
        if child is None:
            break
        current = child
    rows: list[tuple[str, str]] = []
    directive = 0
    if partial.startswith("-"):
        rows = sorted((f"--{f.name}", f.usage.split("\n", 1)[0]) for f in current.all_flags()
                      if not f.hidden and f"--{f.name}".startswith(partial))
        directive = 4
    elif current.commands:
        rows = sorted((c.name, c.short) for c in current.commands
                      if not c.hidden and c.name.startswith(partial))
        directive = 4
    lines = [f"{c}\t{d}" if descriptions and d else c for c, d in rows]
    return "".join(f"{line}\n" for line in lines) + f":{directive}\n", _DIRECTIVES[directive]


def run_complete(root: Command, words: list[str], *, descriptions: bool) -> None:
    """Print the ``__complete`` answer (stdout) and cobra's trailer (stderr)."""
    out, name = complete(root, words, descriptions=descriptions)
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(f"Completion ended with directive: {name}\n")
