"""The package's layers, read from its source: the core imports no framework, and no module imports
itself back through others (an import circle), counting the imports made inside functions."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "serial_tracking"
NAME = PACKAGE.name


def _modules() -> dict[str, Path]:
	found = {}
	for path in PACKAGE.rglob("*.py"):
		parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
		if parts[-1] == "__init__":
			parts = parts[:-1]
		found[".".join(parts)] = path
	return found


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
	"""The package's modules that ``module`` imports, at its top or inside a function."""
	package = module if path.name == "__init__.py" else module.rpartition(".")[0]
	found = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			names = [alias.name for alias in node.names]
		elif isinstance(node, ast.ImportFrom):
			base = node.module or ""
			if node.level:
				base = ".".join(
					[*package.split(".")[: len(package.split(".")) - node.level + 1], base]
				).strip(".")
			# ``from package import module`` imports the module; ``from module import name``, the module.
			names = [
				f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
			]
		else:
			continue
		found.update(name for name in names if name in MODULES and name != module)
	return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _circle_from(start: str) -> list[str] | None:
	"""A path of imports from ``start`` back to itself, if any."""
	stack, seen = [(start, [start])], set()
	while stack:
		module, path = stack.pop()
		for imported in GRAPH[module]:
			if imported == start:
				return [*path, start]
			if imported not in seen:
				seen.add(imported)
				stack.append((imported, [*path, imported]))
	return None


def test_no_module_imports_itself_back():
	circles = [" -> ".join(circle) for module in sorted(GRAPH) if (circle := _circle_from(module))]
	assert circles == []


def test_the_circle_finder_finds_a_circle():
	GRAPH["serial_tracking.core.codes"].add("serial_tracking.core.plan")
	try:
		assert _circle_from("serial_tracking.core.plan")[-1] == "serial_tracking.core.plan"
	finally:
		GRAPH["serial_tracking.core.codes"].discard("serial_tracking.core.plan")


def test_the_core_imports_no_framework_and_nothing_outside_it():
	for module, imported in GRAPH.items():
		if module.startswith(f"{NAME}.core"):
			assert {m for m in imported if not m.startswith(f"{NAME}.core")} == set(), module
			source = MODULES[module].read_text()
			assert "import frappe" not in source and "from frappe" not in source, module
			assert "erpnext" not in source, module


#: The entry points: Frappe calls them; nothing below them imports them.
ENTRY = ("api", "serial_tracking", "hooks", "commands", "devtools", "patches", "boot", "install")


def test_the_adapters_import_no_entry_point():
	entry = tuple(f"{NAME}.{name}" for name in ENTRY)
	found = {
		module: sorted(m for m in imported if m.startswith(entry))
		for module, imported in GRAPH.items()
		if not module.startswith(entry) and module != NAME
	}
	assert {module: names for module, names in found.items() if names} == {}
