/** isort: `--check-only --diff`; each unsorted file is a finding carrying the diff. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { crashMessage, repoRelative, splitDiff, type QualityTool, type ToolInvocation } from './tool.js'
import { hasFile, hasIniSection, hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'

/** Where isort starts looking for its settings when not told: the first path it is given (its folder, for a file). */
function settingsPath(inv: ToolInvocation): string {
  const first = path.resolve(inv.cwd, inv.targets[0] ?? '.')
  return fs.existsSync(first) && fs.statSync(first).isDirectory() ? first : path.dirname(first)
}

/**
 * The lean launcher's prelude: \`--show-files\` asked of isort's own main in isort's process,
 * before it checks (isort is compiled: its search cannot be wrapped), written to the file
 * DK_ACTIONS_LISTING names. What it prints is kept off the run's output.
 */
const OBSERVE_FILES = [
  'import contextlib, io, os, sys',
  'from isort.main import main',
  'shown = io.StringIO()',
  'with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(io.StringIO()):',
  '    main(sys.argv[1:] + ["--show-files"])',
  'with open(os.environ["DK_ACTIONS_LISTING"], "w", encoding="utf-8", errors="surrogateescape") as out:',
  '    out.write(shown.getvalue())'
].join('\n')

export const isort: QualityTool = {
  name: 'isort',
  requirement: { requirement: 'isort', version: '9.0.2', executable: 'isort' },
  fixes: true,
  // It closes what it writes: the lean launcher may run it (and list its files as it runs).
  lean: true,
  // --extend-skip with an absolute path: isort compares it with each file's absolute path.
  argv: (inv) => [
    inv.executable,
    ...(inv.fix ? [] : ['--check-only', '--diff']),
    ...(inv.exclude ?? []).flatMap((p) => ['--extend-skip', p]),
    ...inv.targets
  ],
  config: { table: ['tool', 'isort'], files: ['.isort.cfg', 'setup.cfg', 'tox.ini', '.editorconfig'] },
  ownConfig: (pkg) => hasToolTable(pkg, 'isort') || hasFile(pkg, '.isort.cfg') || hasIniSection(pkg, 'isort'),
  fileLocal: {
    configFiles: ['.isort.cfg', 'pyproject.toml', 'setup.cfg', 'tox.ini', '.editorconfig'],
    homeConfigFiles: ['.isort.cfg', '.editorconfig'],
    // Whether an import is first-party depends on the modules found beside it.
    treeWide: true,
    listFiles: (inv) => [...isort.argv(inv), '--show-files'],
    parseFiles: (r) => (r.exitCode === 0 && !r.spawnError ? r.stdout.split('\n').filter((l) => l !== '') : undefined),
    observeFiles: OBSERVE_FILES,
    // Given other paths, isort would look for its settings from another folder: tell it the one the targets lead to.
    subsetArgs: (inv) => (inv.targets.length ? ['--settings-path', settingsPath(inv)] : undefined)
  },
  parse(r, inv) {
    const findings: Finding[] = []
    if (inv.fix) {
      for (const m of r.stdout.matchAll(/^Fixing (.+)$/gm)) {
        findings.push({
          tool: 'isort',
          file: repoRelative(inv, m[1]!.trim()),
          rule: 'fixed',
          severity: 'note',
          message: 'isort sorted the imports of this file'
        })
      }
    } else {
      const seen = new Set<string>()
      for (const s of splitDiff(
        r.stdout,
        (h) =>
          h
            .replace(/:before\s.*$|:before$/, '')
            .replace(/\t.*$/, '')
            .trim(),
        (f) => repoRelative(inv, f)
      )) {
        const file = repoRelative(inv, s.file)
        seen.add(file)
        findings.push({
          tool: 'isort',
          file,
          line: s.firstLine,
          rule: 'imports',
          severity: 'error',
          message: 'isort: imports are incorrectly sorted and/or formatted',
          detail: s.diff
        })
      }
      for (const m of r.stderr.matchAll(/^ERROR: (.+?) Imports are incorrectly sorted/gm)) {
        const file = repoRelative(inv, m[1]!)
        if (!seen.has(file)) {
          seen.add(file)
          findings.push({
            tool: 'isort',
            file,
            rule: 'imports',
            severity: 'error',
            message: 'isort: imports are incorrectly sorted and/or formatted'
          })
        }
      }
    }
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('isort', r) }
  }
}
