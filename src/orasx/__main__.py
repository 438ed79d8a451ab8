"""``python -m orasx`` is the ``oras`` command."""

from orasx.cli.main import main

if __name__ == "__main__":
    main()
