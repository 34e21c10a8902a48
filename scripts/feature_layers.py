"""An import-linter contract for the features and their order (`docs/ARCHITECTURE.md`).

- A feature's domain (every module of the feature but its web side) imports only the domains
  of the features in the layers below its own; features of one layer (`a | b`) do not import
  each other.
- A domain imports no web module (`web_modules`: views, API, forms, commands, demo, wiring),
  not even its own feature's: the web side sits on top of all the domains and may use any.
- No module imports another feature's pages or endpoints (`page_modules`).
- Every feature (a package with a `feature.py`) has a layer.

Module names are matched per part; a name ending in `*` is a prefix (`views*`: `views_files`).
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class FeatureLayersContract(Contract):
    """`layers` top first, as import-linter's own layers contract; `web_modules` the names
    (or name prefixes, ending in `*`) of a feature's web modules."""

    container = fields.StringField()
    layers = fields.ListField(subfield=fields.StringField())
    web_modules = fields.ListField(subfield=fields.StringField())
    page_modules = fields.ListField(subfield=fields.StringField())

    def _feature(self, module: str) -> str | None:
        parts = module.split(".")
        if len(parts) < 2 or parts[0] != self.container or parts[1] not in self._rank:
            return None
        return parts[1]

    @staticmethod
    def _matches(module: str, names: list[str]) -> bool:
        return any(part == name or (name.endswith("*") and part.startswith(name[:-1]))
                   for part in module.split(".")[2:] for name in names)

    def _is_web(self, module: str) -> bool:
        return self._matches(module, self.web_modules)

    def _problem(self, module: str, imported: str) -> str | None:
        """Why `module` may not import `imported` (None when it may)."""
        feature, other = self._feature(module), self._feature(imported)
        if other is None or other == feature and self._is_web(module):
            return None
        if other != feature and self._matches(imported, self.page_modules):
            return "another feature's pages or endpoints"
        if feature is None or self._is_web(module):
            return None
        if self._is_web(imported):
            return "a web module, from a domain module"
        if other != feature and self._rank[other] == self._rank[feature]:
            return "a feature of its own layer"
        if other != feature and self._rank[other] > self._rank[feature]:
            return "a feature above it"
        return None

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        self._rank = {}
        for height, line in enumerate(reversed(self.layers)):
            for feature in line.split("|"):
                self._rank[feature.strip()] = height
        features = {module.split(".")[1] for module in graph.modules
                    if module.startswith(f"{self.container}.") and module.endswith(".feature")
                    and module.count(".") == 2}
        invalid = []
        for module in sorted(graph.modules):
            if not module.startswith(f"{self.container}."):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                problem = self._problem(module, imported)
                if problem is not None:
                    lines = sorted(detail["line_number"] for detail in
                                   graph.get_import_details(importer=module, imported=imported))
                    invalid.append({"importer": module, "imported": imported, "lines": lines,
                                    "problem": problem})
        unplaced = sorted(features - set(self._rank))
        return ContractCheck(kept=not invalid and not unplaced,
                             metadata={"invalid": invalid, "unplaced": unplaced})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for feature in check.metadata["unplaced"]:
            output.print_error(f"{self.container}.{feature} has no layer: add it to the list.")
            output.new_line()
        for item in check.metadata["invalid"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            hint = (" (send a signal, or declare a need the feature above provides)"
                    if "feature" in item["problem"] and "pages" not in item["problem"] else "")
            output.print_error(f"{item['importer']} imports {item['imported']} ({lines}): "
                               f"{item['problem']}{hint}.", bold=False)
            output.new_line()
