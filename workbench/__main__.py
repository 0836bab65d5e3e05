"""`workbench` and `python -m workbench`: no arguments opens the app, otherwise a headless command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("--smoke", "--reset-settings"):
        from workbench.app import main as app_main

        return app_main(args)
    from workbench.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
