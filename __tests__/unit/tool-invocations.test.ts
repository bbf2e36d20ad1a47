/**
 * Which of a lock pin and a pre-commit pin the project runs, decided from small trees.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { choosePins, readProjectPins } from '../../packages-shared/tool-pins.js'
import { invocations, readRunEvidence } from '../../packages-shared/tool-invocations.js'

function repo(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-runs-'))
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

const LOCK = '[[package]]\nname = "ruff"\nversion = "0.16.0"\ngroups = ["dev"]\n\n[metadata]\nlock-version = "2.1"\n'
const HOOK = 'repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.5.5\n    hooks:\n      - id: ruff\n'
const workflow = (run: string): string =>
  `on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n${run
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`
const ruff: ToolRequirement = { requirement: 'ruff', version: '0.17.5', executable: 'ruff' }
const pick = (root: string): ToolRequirement => choosePins([ruff], {}, readProjectPins(root, [], ['ruff'])).tools[0]!

describe('a lock and a pre-commit hook that disagree', () => {
  test('the workflows run pre-commit: the hook wins, and the source names both', () => {
    const root = repo({
      'poetry.lock': LOCK,
      '.pre-commit-config.yaml': HOOK,
      '.github/workflows/lint.yml': workflow('pip install pre-commit\npre-commit run --all-files')
    })
    expect(pick(root)).toMatchObject({
      version: '0.5.5',
      source: '.pre-commit-config.yaml; the workflows run pre-commit (.github/workflows/lint.yml); poetry.lock has 0.16.0'
    })
  })

  test("Azure Pipelines run pre-commit: their scripts count as the workflows, ahead of a Makefile that runs the lock's ruff", () => {
    // trulens: its CI is .azure_pipelines/*.yaml (stages, jobs, `script:` steps); its Makefile's lint target runs poetry run ruff.
    const azure =
      'stages:\n  - stage: checks\n    jobs:\n      - job: PreCommit\n        steps:\n          - script: |\n              pip install pre-commit\n              pre-commit run --all-files\n            displayName: lint\n'
    const makefile = 'lint:\n\tpoetry run ruff check --fix\n'
    const root = repo({ 'poetry.lock': LOCK, '.pre-commit-config.yaml': HOOK, '.azure_pipelines/ci-pr.yaml': azure, Makefile: makefile })
    expect(pick(root)).toMatchObject({
      version: '0.5.5',
      source: '.pre-commit-config.yaml; the workflows run pre-commit (.azure_pipelines/ci-pr.yaml); poetry.lock has 0.16.0'
    })
    // A GitLab job's script list is read the same way.
    const gitlab = repo({
      'poetry.lock': LOCK,
      '.pre-commit-config.yaml': HOOK,
      '.gitlab-ci.yml': 'lint:\n  script:\n    - poetry install\n    - poetry run ruff check .\n'
    })
    expect(pick(gitlab).version).toBe('0.16.0')
  })

  test('the workflows run poetry run ruff: the lock wins', () => {
    const root = repo({
      'poetry.lock': LOCK,
      '.pre-commit-config.yaml': HOOK,
      '.github/workflows/lint.yml': workflow('poetry install --with dev\npoetry run ruff check .')
    })
    expect(pick(root)).toMatchObject({
      version: '0.16.0',
      source: 'poetry.lock; the workflows run `poetry run ruff check` (.github/workflows/lint.yml); .pre-commit-config.yaml has 0.5.5'
    })
  })

  test('make lint is followed into the Makefile recipe', () => {
    const root = repo({
      'poetry.lock': LOCK,
      '.pre-commit-config.yaml': HOOK,
      Makefile: 'lint: format-check\n\tuv run --frozen ruff check .\nformat-check:\n\t@echo ok\nhooks:\n\tpre-commit run -a\n',
      '.github/workflows/ci.yaml': workflow('make lint')
    })
    expect(pick(root).version).toBe('0.16.0')
    expect(readRunEvidence(root).preCommit).toBeUndefined()
  })

  test('pre-commit.ci (a ci: section) with no workflow: the hook', () => {
    const root = repo({ 'poetry.lock': LOCK, '.pre-commit-config.yaml': `ci:\n  autoupdate_schedule: monthly\n${HOOK}` })
    expect(pick(root).source).toContain('pre-commit.ci runs the hooks')
  })

  test('no evidence: a linter takes its hook, mypy its lock', () => {
    const root = repo({
      'poetry.lock': LOCK.replace(/ruff/g, 'mypy').replace('0.16.0', '1.15.0') + LOCK.replace('[metadata]\nlock-version = "2.1"\n', ''),
      '.pre-commit-config.yaml': `${HOOK}  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.10.0\n    hooks: [{ id: mypy }]\n`
    })
    const { tools } = choosePins(
      [ruff, { requirement: 'mypy', version: '2.0.0', executable: 'mypy' }],
      {},
      readProjectPins(root, [], ['ruff', 'mypy'])
    )
    expect(tools.map((t) => t.version)).toEqual(['0.5.5', '1.15.0'])
    expect(tools[0]!.source).toContain('its pre-commit hook is its declared invocation')
  })

  test('invocations: runners, env prefixes, python -m, uvx', () => {
    expect(invocations('FOO=1 poetry run python -m mypy src && uvx ruff check; $(MAKE) lint')).toEqual([
      { program: 'mypy', runner: 'poetry run', args: ['src'] },
      { program: 'ruff', runner: 'uvx', args: ['check'] },
      { program: 'make', runner: undefined, args: ['lint'] }
    ])
  })
})
