/**
 * Imports every top-level module of every installed target in one Python process, which
 * reports one JSON line per module (and each distribution's installed version). The
 * modules come from the installed distribution's own files (top_level.txt, else RECORD),
 * not from the source tree: what users get is what is checked.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { tail, type Exec } from '../../packages-shared/exec.js'

export interface ImportResult {
  /** Target id the module belongs to; empty for modules named in `imports`. */
  package: string
  module: string
  ok: boolean
  durationMs: number
  error?: string
  /** The last lines of the traceback. */
  traceback?: string
}

export interface InstalledDist {
  package: string
  /** The installed version, or undefined when the distribution is not installed. */
  version?: string
  modules: string[]
}

export interface ImportReport {
  dists: InstalledDist[]
  imports: ImportResult[]
  /** Set when the checker itself could not run. */
  error?: string
}

/*
 * Runs with -I (isolated): neither the working directory nor PYTHONPATH is on sys.path, so
 * a source checkout can never stand in for the installed distribution.
 */
export const IMPORT_SCRIPT = String.raw`
import importlib, importlib.metadata as md, json, sys, time, traceback

def from_files(dist):
    # A folder without __init__ is a PEP 420 namespace, maybe shared with other distributions:
    # this one provides the real packages below it (acme.core), not the bare namespace.
    code = lambda name: name.endswith((".py", ".so", ".pyd"))
    names = set()
    def visit(entries, prefix, depth):
        dirs = {}
        for parts in entries:
            if len(parts) == 1:
                stem = parts[0].split(".")[0]
                if code(parts[0]) and stem != "__init__":
                    names.add(prefix + stem)
            else:
                dirs.setdefault(parts[0], []).append(parts[1:])
        for d, inner in dirs.items():
            if not d.isidentifier() or not any(code(p[-1]) for p in inner):
                continue
            if depth >= 4 or any(len(p) == 1 and p[0].startswith("__init__.") and code(p[0]) for p in inner):
                names.add(prefix + d)
            else:
                visit(inner, prefix + d + ".", depth + 1)
    visit([f.parts for f in dist.files or [] if f.parts and f.parts[0] not in ("..", "", "__pycache__")
           and not f.parts[0].endswith((".dist-info", ".data", ".egg-info"))], "", 0)
    return names

def public(names):
    return sorted(n for n in names if all(s.isidentifier() for s in n.split(".")) and not n.split(".")[-1].startswith("_")
                  and n.split(".")[0] not in ("test", "tests"))

def top_level(dist):
    recorded = from_files(dist)
    text = dist.read_text("top_level.txt")
    if text:
        names = [n.strip() for n in text.splitlines() if n.strip()]
        # A namespace in top_level.txt stands for the real packages RECORD shows below it.
        names = [m for n in names for m in (sorted(r for r in recorded if r.startswith(n + ".")) or [n])]
        # Private helpers (_version) and tests ship in some top_level files; users import the rest.
        kept = public(names)
        return sorted(set(kept or names))
    return public(recorded)

def emit(obj):
    sys.stdout.write("@@dk " + json.dumps(obj) + "\n")
    sys.stdout.flush()

def check(package, module):
    t = time.perf_counter()
    try:
        importlib.import_module(module)
        emit({"kind": "import", "package": package, "module": module, "ok": True, "ms": round((time.perf_counter() - t) * 1000)})
    except BaseException as e:
        emit({"kind": "import", "package": package, "module": module, "ok": False, "ms": round((time.perf_counter() - t) * 1000),
              "error": "%s: %s" % (type(e).__name__, e), "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__))})

request = json.loads(sys.argv[1])
for name in request["packages"]:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        emit({"kind": "dist", "package": name, "version": None, "modules": []})
        continue
    modules = top_level(dist)
    emit({"kind": "dist", "package": name, "version": dist.version, "modules": modules})
    if not request["imports"]:
        for m in modules:
            check(name, m)
for m in request["imports"]:
    check("", m)
`

interface Line {
  kind: 'dist' | 'import'
  package: string
  module?: string
  version?: string | null
  modules?: string[]
  ok?: boolean
  ms?: number
  error?: string
  traceback?: string
}

/** Reads the checker's `@@dk {json}` lines; anything else a module printed is ignored. */
export function parseImportOutput(stdout: string): ImportReport {
  const report: ImportReport = { dists: [], imports: [] }
  for (const raw of stdout.split(/\r?\n/)) {
    if (!raw.startsWith('@@dk ')) continue
    const line = JSON.parse(raw.slice(5)) as Line
    if (line.kind === 'dist') {
      report.dists.push({ package: line.package, version: line.version ?? undefined, modules: line.modules ?? [] })
    } else {
      report.imports.push({
        package: line.package,
        module: line.module ?? '',
        ok: line.ok === true,
        durationMs: line.ms ?? 0,
        ...(line.ok ? {} : { error: line.error, traceback: line.traceback ? tail(line.traceback, 15) : undefined })
      })
    }
  }
  return report
}

export async function checkImports(
  exec: Exec,
  python: string,
  packages: string[],
  imports: string[],
  scratch: string,
  env: Record<string, string | undefined>,
  timeoutMs: number
): Promise<ImportReport> {
  fs.mkdirSync(scratch, { recursive: true })
  const script = path.join(scratch, 'dk_import_check.py')
  fs.writeFileSync(script, IMPORT_SCRIPT)
  const r = await exec({ argv: [python, '-I', script, JSON.stringify({ packages, imports })], cwd: scratch, env, timeoutMs })
  const report = parseImportOutput(r.stdout)
  if (r.exitCode !== 0) {
    report.error = `the import check exited with ${r.exitCode}${r.spawnError ? ` (${r.spawnError})` : ''}: ${tail(r.stderr || r.stdout, 15)}`
  }
  return report
}
