"""What import-linter cannot check: torch is imported lazily.

The layer rules themselves (ui -> domains -> meta, no Qt below ui, domains
independent, no torch in the plain data models) are import-linter contracts
in pyproject.toml, run by `lint-imports` in .ci/run. Import-linter counts an
import inside a function like one at the top of a module, so it cannot tell
that the window, the editors and the command parsers open before torch loads.
"""

import os
import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(workbench.__file__).parent

# Every module here must import without importing torch.
LAZY_TORCH_PACKAGES = ("ui", "commands", "project")
LAZY_TORCH_MODULES = (
    "workbench.app",
    "workbench.cli",
    "workbench.domains.registry",
    "workbench.domains.sketch.api",
    "workbench.domains.melody.api",
    "workbench.domains.melody.notes",
    "workbench.domains.melody.midi_io",
    "workbench.domains.imageio",
    "workbench.domains.drawings.sources",
)


def lazy_torch_modules() -> list[str]:
    names = list(LAZY_TORCH_MODULES)
    for package in LAZY_TORCH_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_app_the_editors_and_the_command_parsers_import_without_torch():
    code = (
        "import importlib, sys\n"
        f"for name in {lazy_torch_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'torch' in sys.modules:\n"
        "        print('torch imported by', name)\n"
        "        break\n"
        "else:\n"
        "    print('no torch')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "no torch"
