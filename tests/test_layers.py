"""The layer rule of docs/ARCHITECTURE.md: imports only go downward (ui -> domains -> meta)."""

import ast
from pathlib import Path

import workbench

ROOT = Path(workbench.__file__).parent
QT = ("PySide6", "pyqtgraph", "shiboken6")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_under(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules_under(package):
        for name in imports_of(path):
            if name.split(".")[0] in forbidden or name.startswith(tuple(f for f in forbidden if "." in f)):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_meta_imports_no_qt_and_no_domain_or_ui():
    assert offending("meta", QT + ("workbench.domains", "workbench.ui", "workbench.commands")) == []


def test_domains_import_no_qt_and_no_ui():
    assert offending("domains", QT + ("workbench.ui", "workbench.commands")) == []


def test_plain_data_models_import_no_torch():
    plain = [ROOT / "domains" / "melody" / "notes.py", ROOT / "domains" / "imageio.py"]
    for path in plain:
        if path.exists():
            assert not any(n.split(".")[0] == "torch" for n in imports_of(path)), path


def test_only_the_entry_points_import_the_ui():
    allowed = {"app.py", "commands/bench_ui.py"}
    for path in ROOT.rglob("*.py"):
        relative = str(path.relative_to(ROOT))
        if relative.startswith("ui/") or relative in allowed:
            continue
        assert not any(n.startswith("workbench.ui") for n in imports_of(path)), relative
