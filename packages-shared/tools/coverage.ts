/**
 * coverage.py's reports: Cobertura XML (what pytest-cov writes per suite) and coverage's
 * own JSON (what we read for the combined figure, since it is exactly what
 * `coverage report` prints), both read into per-file counts, then grouped by package.
 *
 * The total is coverage.py's: (covered lines + covered branches) / (lines + branches).
 */
import * as path from 'node:path'
import { toPosix } from '../paths.js'
import { importNames, packageImportRoots } from '../import-roots.js'
import type { PythonPackage } from '../workspace.js'
import { descendants, parseXml } from './xml.js'

export interface FileCoverage {
  /** Repository-relative posix path when inside the repository, else absolute. */
  file: string
  statements: number
  coveredStatements: number
  branches: number
  coveredBranches: number
}

export interface CoverageTotals {
  statements: number
  coveredStatements: number
  branches: number
  coveredBranches: number
  /** Percent, unrounded. */
  percent: number
}

export interface CoverageData {
  files: FileCoverage[]
  totals: CoverageTotals
}

export function totalsOf(
  files: readonly Pick<FileCoverage, 'statements' | 'coveredStatements' | 'branches' | 'coveredBranches'>[]
): CoverageTotals {
  const t = { statements: 0, coveredStatements: 0, branches: 0, coveredBranches: 0 }
  for (const f of files) {
    t.statements += f.statements
    t.coveredStatements += f.coveredStatements
    t.branches += f.branches
    t.coveredBranches += f.coveredBranches
  }
  const denominator = t.statements + t.branches
  // coverage.py calls an empty measurement 100%.
  const percent = denominator === 0 ? 100 : (100 * (t.coveredStatements + t.coveredBranches)) / denominator
  return { ...t, percent }
}

function repoPath(root: string, base: string, file: string): string {
  const abs = path.resolve(base, file)
  const rel = path.relative(root, abs)
  return rel.startsWith('..') || path.isAbsolute(rel) ? toPosix(abs) : toPosix(rel)
}

/** Cobertura XML as coverage.py writes it: class filenames are relative to the first <source>. */
export function parseCobertura(xml: string, root: string): CoverageData {
  const doc = parseXml(xml)
  const source = descendants(doc, 'source')[0]?.text.trim() || root
  const byFile = new Map<string, FileCoverage>()
  for (const cls of descendants(doc, 'class')) {
    const file = repoPath(root, source, cls.attributes.filename ?? cls.attributes.name ?? '')
    const fc = byFile.get(file) ?? { file, statements: 0, coveredStatements: 0, branches: 0, coveredBranches: 0 }
    for (const line of descendants(cls, 'line')) {
      fc.statements++
      if (Number(line.attributes.hits ?? 0) > 0) fc.coveredStatements++
      if (line.attributes.branch === 'true') {
        const m = /\((\d+)\/(\d+)\)/.exec(line.attributes['condition-coverage'] ?? '')
        if (m) {
          fc.coveredBranches += Number(m[1])
          fc.branches += Number(m[2])
        }
      }
    }
    byFile.set(file, fc)
  }
  const files = [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file))
  return { files, totals: totalsOf(files) }
}

interface CoverageJsonSummary {
  covered_lines?: number
  num_statements?: number
  num_branches?: number
  covered_branches?: number
  percent_covered?: number
}

/** `coverage json` output; file keys are relative to the directory coverage ran in. */
export function parseCoverageJson(text: string, root: string, cwd = root): CoverageData {
  const data = JSON.parse(text) as { files?: Record<string, { summary?: CoverageJsonSummary }>; totals?: CoverageJsonSummary }
  const files: FileCoverage[] = Object.entries(data.files ?? {}).map(([file, f]) => ({
    file: repoPath(root, cwd, file),
    statements: f.summary?.num_statements ?? 0,
    coveredStatements: f.summary?.covered_lines ?? 0,
    branches: f.summary?.num_branches ?? 0,
    coveredBranches: f.summary?.covered_branches ?? 0
  }))
  files.sort((a, b) => a.file.localeCompare(b.file))
  const totals = totalsOf(files)
  // coverage's own percent is authoritative (it honours exclusions we cannot see per line).
  if (typeof data.totals?.percent_covered === 'number') totals.percent = data.totals.percent_covered
  return { files, totals }
}

export interface PackageCoverage extends CoverageTotals {
  /** Package id, or `other` for measured files outside every package. */
  package: string
  files: number
}

/**
 * The package a measured file belongs to: the one whose import directory holds it, else
 * (an installed copy in site-packages) the one providing its top-level module.
 */
export function packageOfFile(file: string, root: string, packages: readonly PythonPackage[]): PythonPackage | undefined {
  const abs = path.resolve(root, file)
  const inside = (dir: string): boolean => {
    const rel = path.relative(dir, abs)
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
  }
  const byDepth = [...packages].sort((a, b) => b.importDir.length - a.importDir.length)
  const owner = byDepth.find(
    (p) =>
      p.modules.length > 0 &&
      inside(p.importDir) &&
      p.modules.includes(path.relative(p.importDir, abs).split(path.sep)[0]!.replace(/\.py$/, ''))
  )
  if (owner) return owner
  const segments = toPosix(file).split('/')
  const site = segments.lastIndexOf('site-packages')
  if (site >= 0) {
    // Below a shared namespace the top-level name (`acme`) is every member's: match the real package.
    const dotted = segments
      .slice(site + 1)
      .join('.')
      .replace(/\.pyi?$/, '')
    const named = packages.find((p) =>
      importNames(packageImportRoots(p)).some((n) => n.includes('.') && (dotted === n || dotted.startsWith(`${n}.`)))
    )
    if (named) return named
    const top = (segments[site + 1] ?? '').replace(/\.py$/, '')
    return packages.find((p) => p.modules.includes(top))
  }
  return byDepth.find((p) => p.relDir !== '.' && inside(p.dir))
}

export function coverageByPackage(data: CoverageData, root: string, packages: readonly PythonPackage[]): PackageCoverage[] {
  const groups = new Map<string, FileCoverage[]>()
  for (const f of data.files) {
    const id = packageOfFile(f.file, root, packages)?.id ?? 'other'
    groups.set(id, [...(groups.get(id) ?? []), f])
  }
  const order = (id: string): number => (id === 'other' ? Number.MAX_SAFE_INTEGER : packages.findIndex((p) => p.id === id))
  return [...groups.entries()]
    .sort((a, b) => order(a[0]) - order(b[0]))
    .map(([id, files]) => ({ package: id, files: files.length, ...totalsOf(files) }))
}

/** One decimal, as the summary and outputs show it. */
export function formatPercent(percent: number): string {
  return (Math.round(percent * 10) / 10).toFixed(1)
}

/** Where a process measured under coverage (pytest-cov included) writes its data file. */
export function coverageDataEnv(dataFile: string): { COVERAGE_FILE: string } {
  return { COVERAGE_FILE: dataFile }
}

/** One `coverage` command of the combined report, and the file it writes. */
export interface CoverageStep {
  argv: string[]
  writes: string
}

/** `coverage combine` over the suites' data files, then XML and JSON of the whole. */
export function coverageCombineSteps(
  executable: string,
  files: { dataFiles: readonly string[]; dataFile: string; xml: string; json: string }
): CoverageStep[] {
  const { dataFiles, dataFile, xml, json } = files
  return [
    { argv: [executable, 'combine', '--keep', `--data-file=${dataFile}`, ...dataFiles], writes: dataFile },
    // -i: a measured file deleted since (generated code) must not sink the report.
    { argv: [executable, 'xml', '-i', `--data-file=${dataFile}`, '-o', xml], writes: xml },
    { argv: [executable, 'json', '-i', `--data-file=${dataFile}`, '-o', json], writes: json }
  ]
}

/**
 * What a `coverage` command's exit means: `no-data` when the suites measured nothing
 * (allowed-empty suites: no figure, not an error); exit 2 is the project's own fail_under,
 * which is no failure here when the file was written (the gate is coverage-min).
 */
export function coverageStepVerdict(exitCode: number, output: string, wrote: boolean): 'ok' | 'no-data' | 'failed' {
  if (exitCode === 1 && /No data to (report|combine)/i.test(output)) return 'no-data'
  if (exitCode !== 0 && !(exitCode === 2 && wrote)) return 'failed'
  return 'ok'
}
