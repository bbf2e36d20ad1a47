/**
 * flake8: a format template with separators no path or message contains. Each record starts
 * with RS, so a path holding a newline (a file may be named `a\n::error::b.py`) stays one
 * record with its real name instead of turning its second half into a finding.
 */
import { crashMessage, globLiteral, nulList, repoRelative, type QualityTool } from './tool.js'
import { hasFile, hasIniSection } from './config-files.js'
import type { Finding } from '../findings.js'

const SEP = '\u241f'
const RS = '\u241e'

const LISTED = 'dk-actions-files'

/**
 * flake8 has no flag that lists its files: this runs flake8's own command line with the same
 * arguments until its checker has expanded the paths (exclude, extend-exclude, filename
 * patterns from its configuration), prints them and stops before checking any. A flake8
 * without that hook fails here, and the run is not cached.
 */
const LIST_FILES = [
  'import os, sys',
  'import flake8.checker as checker',
  'from flake8.main import cli',
  'expand = checker.expand_paths',
  'def listed(**kwargs):',
  `    sys.stdout.write(${JSON.stringify(LISTED)} + "\\0")`,
  '    for name in expand(**kwargs):',
  '        sys.stdout.write(os.path.abspath(name) + "\\0")',
  '    sys.stdout.flush()',
  '    os._exit(0)',
  'checker.expand_paths = listed',
  'cli.main(sys.argv[1:])',
  'sys.exit(3)'
].join('\n')

/**
 * The lean launcher's prelude: flake8's own expansion, passed through as it runs, written to
 * the file DK_ACTIONS_LISTING names in the listing's format.
 */
const OBSERVE_FILES = [
  'import os',
  'import flake8.checker as checker',
  'expand = checker.expand_paths',
  'def observed(**kwargs):',
  '    names = list(expand(**kwargs))',
  '    with open(os.environ["DK_ACTIONS_LISTING"], "w", encoding="utf-8", errors="surrogateescape") as out:',
  `        out.write(${JSON.stringify(LISTED)} + "\\0" + "".join(os.path.abspath(name) + "\\0" for name in names))`,
  '    return iter(names)',
  'checker.expand_paths = observed'
].join('\n')

export const flake8: QualityTool = {
  name: 'flake8',
  requirement: { requirement: 'flake8', version: '7.5.0', executable: 'flake8' },
  fixes: false,
  // It closes what it writes: the lean launcher may run it (and list its files as it runs).
  lean: true,
  // Its process pool forks the loaded tool: workers cost a few percent (black on certbot: 34.9 s → 18.7 s for 1.7% more CPU).
  cheapWorkers: true,
  argv: (inv) => [
    inv.executable,
    `--format=${RS}%(path)s${SEP}%(row)d${SEP}%(col)d${SEP}%(code)s${SEP}%(text)s`,
    ...(inv.jobs ? [`--jobs=${inv.jobs}`] : []),
    // fnmatch patterns against absolute paths, comma separated (a name with a comma cannot be named).
    ...(inv.exclude?.length ? [`--extend-exclude=${inv.exclude.map(globLiteral).join(',')}`] : []),
    ...inv.targets
  ],
  config: { files: ['.flake8', 'setup.cfg', 'tox.ini'] },
  ownConfig: (pkg) => hasFile(pkg, '.flake8') || hasIniSection(pkg, 'flake8'),
  // flake8 reads its configuration from its cwd up, whatever paths it is given, and applies
  // its exclusions to paths given by name as well: a run over some files checks them alike.
  fileLocal: {
    configFiles: ['setup.cfg', 'tox.ini', '.flake8'],
    homeConfigFiles: [],
    treeWide: false,
    listFiles: (inv, python) => (python ? [python, '-c', LIST_FILES, ...flake8.argv(inv).slice(1)] : undefined),
    parseFiles: (r) => (r.exitCode === 0 && !r.spawnError ? nulList(r.stdout, LISTED) : undefined),
    observeFiles: OBSERVE_FILES,
    subsetArgs: () => []
  },
  parse(r, inv) {
    const findings: Finding[] = []
    for (const record of r.stdout.split(RS).slice(1)) {
      const parts = record.replace(/\r?\n$/, '').split(SEP)
      if (parts.length < 5) continue
      const [file, row, col, code, ...text] = parts
      findings.push({
        tool: 'flake8',
        file: repoRelative(inv, file!),
        line: Number(row),
        column: Math.max(1, Number(col)),
        rule: code,
        // E/W are pycodestyle, F pyflakes, C complexity: all problems to fix, so errors.
        severity: code!.startsWith('W') ? 'warning' : 'error',
        message: `${code} ${text.join(SEP)}`
      })
    }
    // 1 with findings is the normal failure; 1 without any is a crash (bad config).
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('flake8', r) }
  }
}
