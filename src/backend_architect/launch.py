"""The console entry point: ``--version`` is answered before the command line is loaded.

A pre-commit hook or a CI step may ask for the version on every run; loading the command
line (typer, pydantic, the rule registry) costs ten times what answering does.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Run ``backend-architect``; ``--version`` alone needs nothing but the version string."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from backend_architect import __version__

        sys.stdout.write(f"backend-architect {__version__}\n")
        return
    import os

    # pydantic looks up plugins in every installed package's metadata (50 ms) before its first
    # validation; the command line has no use for them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from backend_architect.cli import run as run_cli

    run_cli()
