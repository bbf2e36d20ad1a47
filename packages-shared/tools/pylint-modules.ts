/**
 * What a pylint run checks, asked of pylint itself: its own command line runs with the same
 * arguments until the linter has read its configuration (rc files, init-hook, plugins) and
 * expanded the targets, then, instead of checking, prints the modules it would check (name and
 * file), the search path they would be checked with, whether the messages that depend on the
 * whole run set are enabled, and what each module imports (read with `ast`, nothing imported).
 * A pylint without these internals fails here; its runs are then checked whole.
 */
import type { CommandResult } from '../exec.js'
import type { Finding } from '../findings.js'
import type { ImportRef, ModuleCacheTool, ModuleListing, ToolInvocation } from './tool.js'

const HEADER = 'dk-actions-pylint-modules'

/** Messages whose answer depends on every module of the run, not on one module and what it imports. */
export const CROSS_MODULE_MESSAGES = ['duplicate-code', 'cyclic-import'] as const

/**
 * Messages about suppressions: enabled, a run over some modules with the cross-module messages
 * off reports them differently (a `disable=duplicate-code` pragma looks useless there).
 */
export const SUPPRESSION_MESSAGES = ['useless-suppression', 'suppressed-message'] as const

/**
 * What both ways of listing share: how a module's imports are read, and the listing of a run
 * whose linter has read its configuration (\`self\`), its modules (\`items\`), the targets
 * after recursion, and the search path before the run's own additions (\`base\`).
 */
const DESCRIBE = String.raw`
import ast, json, os, sys
MESSAGES = ${JSON.stringify([...CROSS_MODULE_MESSAGES, ...SUPPRESSION_MESSAGES])}

def imports_of(path):
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    found = set()
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add((0, alias.name))
                if alias.asname:
                    bound[alias.asname] = (0, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = (0, top)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found.add((node.level or 0, base))
            for alias in node.names:
                if alias.name == "*":
                    continue
                full = base + "." + alias.name if base else alias.name
                found.add((node.level or 0, full))
                bound[alias.asname or alias.name] = (node.level or 0, full)
    # An attribute of an imported package may be a submodule astroid loads on demand (a.b.c).
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = []
            value = node
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                level, dotted = bound[value.id]
                found.add((level, ".".join(([dotted] if dotted else []) + parts[::-1])))
    return sorted(found)

from pylint.lint.expand_modules import discover_package_path
from pylint.lint.utils import augmented_sys_path

def extra_paths(self, files_or_modules):
    return list(dict.fromkeys(discover_package_path(f, self.config.source_roots) for f in files_or_modules))

def search_path(extra):
    with augmented_sys_path(extra):
        return [os.path.abspath(p) for p in sys.path]

def describe(self, items, extra, search, others):
    modules = [[item.name, os.path.abspath(item.filepath)] for item in items]
    wanted = sorted({m[1] for m in modules} | {os.path.abspath(p) for p in others})
    data = {
        "modules": modules,
        "searchPath": search,
        "targetPaths": [os.path.abspath(p) for p in extra],
        "enabled": {m: bool(self.is_message_enabled(m)) for m in MESSAGES},
        "imports": {p: imports_of(p) for p in wanted},
    }
    return ${JSON.stringify(HEADER)} + "\n" + json.dumps(data) + "\n"
`

/**
 * Given the run's arguments after the executable, and on stdin a JSON list of further files
 * (absolute) whose imports to read: the repository's other Python files, through which a
 * module may reach another. sys.path[0] is the script's folder for the console script, '' for
 * \`-c\`: the working directory is dropped as pylint's own entry point leaves it out.
 */
const SCRIPT = String.raw`
import sys
if sys.path and sys.path[0] in ("", "."):
    sys.path.pop(0)
OTHERS = __import__("json").loads(sys.stdin.read() or "[]")
${DESCRIBE}
from pylint.lint import Run
from pylint.lint.pylinter import PyLinter

def listed(self, files_or_modules):
    # The first steps of PyLinter.check, up to the first module checked.
    self.initialize()
    if self.config.recursive:
        files_or_modules = tuple(self._discover_files(files_or_modules))
    extra = extra_paths(self, files_or_modules)
    items = list(self._iterate_file_descrs(files_or_modules, extra_packages_paths=extra))
    sys.stdout.write(describe(self, items, extra, search_path(extra), OTHERS))
    sys.stdout.flush()
    os._exit(0)

PyLinter.check = listed
Run(sys.argv[1:])
sys.exit(3)
`

/**
 * The same listing from the run itself (the lean launcher's prelude): the modules pylint's
 * check goes through, passed on as it reads them, then written to the file DK_ACTIONS_LISTING
 * names. The further files are a JSON list in the file DK_ACTIONS_LISTING_INPUT names. The
 * search path and the flags are read when the modules are asked for, as the listing reads them.
 */
const OBSERVE = String.raw`
${DESCRIBE}
from pylint.lint.pylinter import PyLinter

iterate = PyLinter._iterate_file_descrs

def observed(self, files_or_modules, *args, **kwargs):
    extra = extra_paths(self, files_or_modules)
    search = search_path(extra)
    items = iterate(self, files_or_modules, *args, **kwargs)

    def passed_on():
        seen = []
        for item in items:
            seen.append(item)
            yield item
        try:
            with open(os.environ["DK_ACTIONS_LISTING_INPUT"], encoding="utf-8") as f:
                others = json.load(f)
            listing = describe(self, seen, extra, search, others)
            with open(os.environ["DK_ACTIONS_LISTING"], "w", encoding="utf-8") as out:
                out.write(listing)
        except Exception:
            pass

    return passed_on()

PyLinter._iterate_file_descrs = observed
`

const isString = (v: unknown): v is string => typeof v === 'string'

function importRefs(v: unknown): ImportRef[] | null | undefined {
  if (v === null) return null
  if (!Array.isArray(v)) return undefined
  const refs: ImportRef[] = []
  for (const e of v) {
    if (!Array.isArray(e) || e.length !== 2 || !Number.isInteger(e[0]) || e[0] < 0 || !isString(e[1])) return undefined
    refs.push({ level: e[0] as number, name: e[1] })
  }
  return refs
}

/** The listing's answer; undefined when the command failed or printed something else. */
export function parsePylintModules(r: CommandResult): ModuleListing | undefined {
  if (r.exitCode !== 0 || r.spawnError || r.timedOut) return undefined
  const at = r.stdout.indexOf(`${HEADER}\n`)
  if (at < 0) return undefined
  let data: Record<string, unknown>
  try {
    data = JSON.parse(r.stdout.slice(at + HEADER.length + 1)) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (data === null || typeof data !== 'object') return undefined
  const { modules, searchPath, targetPaths, enabled, imports } = data
  if (!Array.isArray(modules) || !Array.isArray(searchPath) || !Array.isArray(targetPaths)) return undefined
  if (!searchPath.every(isString) || !targetPaths.every(isString)) return undefined
  if (!modules.every((m) => Array.isArray(m) && m.length === 2 && isString(m[0]) && isString(m[1]))) return undefined
  if (enabled === null || typeof enabled !== 'object' || imports === null || typeof imports !== 'object') return undefined
  const refs = new Map<string, ImportRef[] | null>()
  for (const [file, v] of Object.entries(imports as Record<string, unknown>)) {
    const parsed = importRefs(v)
    if (parsed === undefined) return undefined
    refs.set(file, parsed)
  }
  const flags: Record<string, boolean> = {}
  for (const m of [...CROSS_MODULE_MESSAGES, ...SUPPRESSION_MESSAGES]) {
    const value = (enabled as Record<string, unknown>)[m]
    if (typeof value !== 'boolean') return undefined
    flags[m] = value
  }
  return {
    modules: (modules as [string, string][]).map(([name, file]) => ({ name, file })),
    searchPath,
    targetPaths,
    enabled: flags,
    imports: refs
  }
}

/** pylint's part of the per-module cache; `argv` is pylint's own command line for an invocation. */
export function pylintModuleCache(argv: (inv: ToolInvocation) => string[]): ModuleCacheTool {
  return {
    listModules: (inv, python) => (python ? [python, '-c', SCRIPT, ...argv(inv).slice(1)] : undefined),
    observeModules: OBSERVE,
    parseModules: parsePylintModules,
    crossModule: CROSS_MODULE_MESSAGES,
    suppression: SUPPRESSION_MESSAGES,
    // Rules read `R0801 duplicate-code` (pylint.ts).
    symbol: (f: Finding) => f.rule?.split(' ')[1],
    partialArgs: () => [`--disable=${CROSS_MODULE_MESSAGES.join(',')}`],
    crossArgs: (enabled) => ['--disable=all', `--enable=${enabled.join(',')}`]
  }
}
