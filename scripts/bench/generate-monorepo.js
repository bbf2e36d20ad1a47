// Generates a larger Python monorepo for benchmarks: the example monorepo's configuration,
// plus `count` packages in a dependency chain, each with `modules` modules of typed,
// lint-clean code (about 60 lines each).
import * as fs from 'node:fs'
import * as path from 'node:path'

function moduleSource(pkg, m, dep) {
  const lines = [
    `"""Generated module ${m} of ${pkg}."""`,
    '',
    'from __future__ import annotations',
    '',
    ...(dep ? [`from ${dep}.mod_0 import scale_0 as base_scale`, ''] : []),
    ''
  ]
  for (let f = 0; f < 6; f++) {
    lines.push(
      `def scale_${f}(values: list[float], factor: float = ${f + 1}.0) -> list[float]:`,
      `    """Scale every value by the factor (variant ${f})."""`,
      '    result: list[float] = []',
      '    for value in values:',
      '        if value < 0:',
      '            result.append(-value * factor)',
      '        else:',
      '            result.append(value * factor)',
      `    return ${dep && f === 0 ? 'base_scale(result, 1.0)' : 'result'}`,
      '',
      ''
    )
  }
  lines.push(
    `class Counter${m}:`,
    '    """Counts items by key."""',
    '',
    '    def __init__(self) -> None:',
    '        self.counts: dict[str, int] = {}',
    '',
    '    def add(self, key: str) -> int:',
    '        """Add one to the key and return the new count."""',
    '        self.counts[key] = self.counts.get(key, 0) + 1',
    '        return self.counts[key]',
    ''
  )
  return lines.join('\n')
}

export function generateMonorepo(exampleDir, outDir, { count = 20, modules = 25 } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.cpSync(exampleDir, outDir, { recursive: true })
  let lineCount = 0
  for (let i = 0; i < count; i++) {
    const name = `gen_pkg_${i}`
    const dist = `gen-pkg-${i}`
    const dep = i > 0 ? `gen_pkg_${i - 1}` : undefined
    const dir = path.join(outDir, 'packages', dist)
    const src = path.join(dir, 'src', name)
    fs.mkdirSync(src, { recursive: true })
    fs.writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${dist}"\nversion = "1.0.0"\nrequires-python = ">=3.9"\ndependencies = [${dep ? `"gen-pkg-${i - 1}>=1.0.0"` : ''}]\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/${name}"]\n`
    )
    fs.writeFileSync(path.join(src, '__init__.py'), `"""Generated package ${name}."""\n`)
    fs.writeFileSync(path.join(src, 'py.typed'), '')
    for (let m = 0; m < modules; m++) {
      const text = moduleSource(name, m, dep)
      lineCount += text.split('\n').length
      fs.writeFileSync(path.join(src, `mod_${m}.py`), text)
    }
  }
  // The generated modules are alike on purpose; pylint's duplicate-code check would report
  // every pair and time the reporting, not the linting.
  fs.appendFileSync(path.join(outDir, 'pyproject.toml'), '\n[tool.pylint.similarities]\nmin-similarity-lines = 1000\n')
  // mypy resolves the generated packages' imports through mypy_path, like the example's.
  const rootToml = path.join(outDir, 'pyproject.toml')
  const extra = Array.from({ length: count }, (_, i) => `    "packages/gen-pkg-${i}/src",`).join('\n')
  fs.writeFileSync(rootToml, fs.readFileSync(rootToml, 'utf8').replace(/mypy_path = \[\n/, `mypy_path = [\n${extra}\n`))
  return { lineCount }
}
