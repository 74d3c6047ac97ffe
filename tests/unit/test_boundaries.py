"""Context boundaries (D-045) that import-linter cannot express, and import-linter itself.

- no function-level import of another context in shared/ (import-linter sees
  them, but a hidden import is how the old couplings hid: they are refused
  outright, public module or not);
- no class in shared/ inherits a service (use cases are composed, D-046);
- each context's public module names the same things for the type checker
  and for the runtime, and every name resolves;
- the import-linter contracts in pyproject.toml hold (`make lint` runs them too).
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# every package of shared/ is a bounded context, except the shared kernel: the platform and the national codes
KERNEL = {"platform", "codes"}
CONTEXTS = tuple(
    sorted(path.parent.name for path in (ROOT / "shared").glob("*/__init__.py") if path.parent.name not in KERNEL)
)


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def _function_level_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                found.extend((getattr(node, "lineno", 0), name) for name in _imported(node))
    return found


def test_no_context_imports_another_inside_a_function() -> None:
    offences: list[str] = []
    for context in CONTEXTS:
        for path in _sources(f"shared/{context}"):
            relative = path.relative_to(ROOT).as_posix()
            for line, module in _function_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
                parts = module.split(".")
                if len(parts) < 2 or parts[0] != "shared" or parts[1] in (context, "platform"):
                    continue
                offences.append(f"{relative}:{line} imports {module} inside a function")
    assert offences == []


def test_the_check_sees_a_hidden_import() -> None:
    tree = ast.parse("def f():\n    from shared.licences.service import licences_service\n")
    assert _function_level_imports(tree) == [(2, "shared.licences.service")]


def test_no_class_in_shared_inherits_a_service() -> None:
    offences: list[str] = []
    for path in _sources("shared"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base) for base in node.bases]
                offences.extend(f"{path.relative_to(ROOT)}: {node.name}({b})" for b in bases if b.endswith("Service"))
    assert offences == []


def _type_checking_names(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imported in node.body:
                assert isinstance(imported, ast.ImportFrom)
                assert imported.module
                names.update({alias.asname or alias.name: imported.module for alias in imported.names})
    return names


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_public_module_names_the_same_things_for_the_type_checker_and_the_runtime(context: str) -> None:
    path = ROOT / "shared" / context / "api.py"
    declared = _type_checking_names(ast.parse(path.read_text(encoding="utf-8")))
    api = importlib.import_module(f"shared.{context}.api")
    assert sorted(api.__all__) == sorted(declared)
    for name, module in declared.items():
        assert getattr(api, name) is getattr(importlib.import_module(module), name), name


def test_every_context_is_in_every_import_contract() -> None:
    """A new context is bound by the contracts the day its package appears (a hand-kept list forgets)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    for contract in contracts["contracts"]:
        listed = contract.get("modules") or contract.get("forbidden_modules")
        named = {module.removeprefix("shared.").removesuffix(".*") for module in listed}
        assert set(CONTEXTS) <= named, (contract["name"], sorted(set(CONTEXTS) - named))


def test_the_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 broken" in result.stdout
