"""Architecture: every import in ``runform/`` (lazy ones inside functions and TYPE_CHECKING blocks
too) points down the layer list; no private name crosses a package; every package has ``__all__``.

Layers, bottom first (README "Code layout"): errors, version < config < model < io < pose <
kinematics < events < metrics < quality < coaching < report < pipeline < runform (the facade in
``runform/__init__.py``) < batch < web < cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "runform"
LAYERS = ["errors", "version", "config", "model", "io", "pose", "kinematics", "events", "metrics", "quality",
          "coaching", "report", "pipeline", "", "batch", "web", "cli"]  # fmt: skip
RANK = {name: i for i, name in enumerate(LAYERS)}
RANK["version"] = RANK["errors"]  # both at the very bottom, independent of each other


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """Top-level unit of a runform module: ``runform.io.video`` -> ``io``; the facade -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[str, list[str], int, bool]]:
    """(module, imported names, line, inside TYPE_CHECKING) for every runform import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_checking_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                type_checking_lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    own = _module_name(path)
    package = own if path.name == "__init__.py" else own.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "runform":
                    found.append((alias.name, [], node.lineno, node.lineno in type_checking_lines))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == "runform":
                found.append((module, [a.name for a in node.names], node.lineno, node.lineno in type_checking_lines))
    return found


FILES = sorted(PACKAGE.rglob("*.py"))
IMPORTS = [(path, imp) for path in FILES for imp in _imports(path)]


def test_every_unit_has_a_layer():
    units = {_unit(_module_name(p)) for p in FILES}
    assert units <= set(RANK), f"add {sorted(units - set(RANK))} to LAYERS (and to README 'Code layout')"


def test_nothing_imports_upward():
    upward = []
    for path, (module, names, line, _) in IMPORTS:
        source, target = _unit(_module_name(path)), _unit(module)
        targets = [target] if target or not names else [n if n in RANK else "" for n in names]
        for t in targets:
            if t != source and RANK[t] >= RANK[source]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({source or 'runform'}) imports {module} ({t or 'runform'})")
    assert not upward, "\n".join(upward)


def test_model_imports_only_errors():
    """The model is plain data: it imports nothing from runform but errors (not config, not even for annotations)."""
    bad = []
    for path, (module, _, line, _) in IMPORTS:
        if _unit(_module_name(path)) != "model" or _unit(module) == "model":
            continue
        if module != "runform.errors":
            bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_no_private_import_across_packages():
    bad = []
    for path, (module, names, line, _) in IMPORTS:
        if _unit(module) == _unit(_module_name(path)):
            continue
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        if private or any(part.startswith("_") for part in module.split(".")[1:]):
            bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}: {private or 'a private module'}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("init", sorted(PACKAGE.rglob("__init__.py")), ids=lambda p: str(p.parent.relative_to(PACKAGE.parent)))
def test_every_package_declares_its_public_surface(init):
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
    assert "__all__" in names, f"{init} has no __all__"
