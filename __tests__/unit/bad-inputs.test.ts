/**
 * Every input of every action, with the values it refuses: one table keyed by action and
 * input, run through the real parsers (parseCommonInputs, then the action's parseInputs,
 * as runAction does), and through the root action with the stage prefixes. A meta-test
 * reads every action.yml and fails when an input has no row, or a row no input.
 *
 * To add an input: add a row under its action in ACTION_INPUTS (or in COMMON_ROWS when
 * every action reads it through parseCommonInputs): `bad(...)` with the values it refuses
 * and a fragment of the message each must give, or `free('why nothing is invalid')`.
 * The root action needs no row of its own: `<prefix>-<input>` is checked through the row
 * of the stage's action, and the common inputs through COMMON_ROWS.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { ActionDefinition } from '../../packages-shared/action.js'
import { parseCommonInputs, selectPackages } from '../../packages-shared/context.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { pipelineAction } from '../../actions/pipeline/main.js'
import { COMMON_INPUTS, STAGES } from '../../actions/pipeline/stages.js'
import { ACTIONS } from '../../actions/registry.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { runCommand } from '../../packages-shared/exec.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** A value the input refuses, the fragment its message must hold, other inputs it needs. */
interface BadCase {
  value: string
  fragment: string
  with?: Record<string, string>
  /** The input the message names, when it is not this one (a pair: username and password). */
  names?: string
  /** Refused when the packages are resolved against the repository, not when parsed. */
  atSelection?: boolean
}
type Row = { kind: 'bad'; cases: BadCase[] } | { kind: 'free'; why: string }

type CaseSpec = [value: string, fragment: string, extra?: Omit<BadCase, 'value' | 'fragment'>]
const bad = (...cases: CaseSpec[]): Row => ({
  kind: 'bad',
  cases: cases.map(([value, fragment, extra]) => ({ value, fragment, ...extra }))
})
const free = (why: string): Row => ({ kind: 'free', why })

const BOOLEAN = bad(['maybe', 'expected true or false'], ['2', 'expected true or false'])
const FAIL_ON = bad(['sometimes', 'allowed values are error, warning, note, never'], ['error,warning', 'allowed values are'])
const BYTE_SIZE = bad(['big', 'expected a size such as 1MiB'], ['-1', 'expected a size such as 1MiB'], ['3 XB', 'expected a size'])
const TIME_LIMIT = bad(['soon', 'expected a duration such as 30s'], ['0s', 'expected a positive duration'])
const PASS_ENV = bad(
  ['A=B', 'is not a variable name'],
  ['INPUT_TOKEN', 'never reach tools or tests'],
  ['GITHUB_TOKEN', 'never reach tools or tests'],
  ['ACTIONS_*', 'never reach tools or tests']
)
const TOOL_VERSIONS = bad(['black', 'expected name==version'], ['black>=24', 'expected name==version'], ['==1.0', 'expected name==version'])
const OUTSIDE = 'must be inside the workspace'

/** Inputs every action reads through parseCommonInputs (those its action.yml lists). */
const COMMON_ROWS: Record<string, Row> = {
  'working-directory': bad(
    ['../elsewhere', 'the path must stay inside the workspace'],
    ['/etc', 'the path must stay inside the workspace']
  ),
  packages: bad(['no-such-package', 'which is not a package of this repository', { atSelection: true }]),
  'base-ref': free(
    'any git revision; one missing from the clone is refused by git when packages: changed runs (changes.ts, workspace-boundary.test.ts)'
  ),
  python: free('a command or path of an interpreter; one that does not run is refused when tools are provisioned (python/interpreter.ts)'),
  install: bad(['pip', 'allowed values are auto, project, isolated, none'], ['everything', 'allowed values are']),
  'report-dir': bad(
    ['../reports', 'the report directory must be inside the workspace'],
    ['/etc/dk', 'the report directory must be inside the workspace']
  ),
  'artifact-name': free('any artifact name; the artifact service checks it when uploading'),
  'max-parallel': bad(['0', 'expected a whole number from 1 to 64'], ['65', 'from 1 to 64'], ['many', 'expected a whole number']),
  shards: bad(
    ['0', 'expected a whole number from 1 to 256'],
    ['257', 'from 1 to 256'],
    ['few', 'expected a whole number'],
    ['3', 'give one of them', { with: { 'shard-size': '10' } }],
    ['3', "Give 'shard' alone in the fan-out jobs", { with: { shard: '1/3' } }]
  ),
  'shard-size': bad(
    ['0', 'expected a whole number from 1 to 100000'],
    ['big', 'expected a whole number'],
    ['10', 'give one of them', { with: { shards: '3' }, names: 'shards' }]
  ),
  shard: bad(
    ['2', 'expected a shard such as 2/5'],
    ['two/five', 'expected a shard such as 2/5'],
    ['6/5', 'shard 6 is out of range: shards are numbered from 1 to 5'],
    ['0/5', 'out of range'],
    ['1/0', 'the number of shards must be from 1 to 256'],
    ['1/300', 'from 1 to 256']
  ),
  cache: BOOLEAN,
  notify: bad(['sometimes', 'allowed values are never, failure, always'], ['failure,always', 'allowed values are']),
  // The URL is the webhook's credential: https only (plain http for a server on this machine), never echoed past its host.
  'slack-webhook': bad(
    ['http://hooks.slack.com/services/T0/B0/secret', 'expected an https URL (plain http only for localhost'],
    ['hooks.slack.com/services/T0/B0/secret', 'expected an https URL'],
    ['ftp://hooks.slack.com/services/T0/B0/secret', 'expected an https URL'],
    ['https://user:pw@hooks.slack.com/services/T0/B0/secret', 'credentials do not belong in the URL']
  ),
  'webhook-url': bad(
    ['http://example.com/hook', 'expected an https URL (plain http only for localhost'],
    ['not a url', 'expected an https URL'],
    ['file:///etc/passwd', 'expected an https URL']
  )
}

/** Each action's own inputs. */
const ACTION_INPUTS: Record<string, Record<string, Row>> = {
  'run-quality': {
    timeout: TIME_LIMIT,
    'pass-env': PASS_ENV,
    'max-file-size': BYTE_SIZE,
    checks: bad(['black,prettier', 'allowed values are black, isort, flake8, mypy, pylint, ruff, ruff-format']),
    paths: bad(['../outside', 'the path must stay inside the workspace'], ['no/such/dir', 'no such file or directory']),
    'fail-on': FAIL_ON,
    fix: BOOLEAN,
    'tool-versions': TOOL_VERSIONS
  },
  'run-security': {
    timeout: TIME_LIMIT,
    'max-file-size': BYTE_SIZE,
    checks: bad(['bandit,clamav', 'allowed values are bandit, dependencies, workflows, safety, semgrep, trivy']),
    'optional-checks': bad(['bandit', 'allowed values are semgrep, trivy']),
    'severity-threshold': bad(['critical', 'allowed values are low, medium, high']),
    'confidence-threshold': bad(['certain', 'allowed values are low, medium, high']),
    'advisory-db': bad(['../osv', OUTSIDE]),
    'audit-retries': bad(['-1', 'from 0 to 10'], ['11', 'from 0 to 10'], ['few', 'expected a whole number']),
    ignore: bad(['GHSA-1 until tomorrow', 'expected a calendar date as YYYY-MM-DD'], ['GHSA-1 until 2027-02-30', 'invalid date']),
    'fail-on': FAIL_ON,
    'upload-sarif': BOOLEAN,
    'wait-for-processing': BOOLEAN,
    token: free('a secret: masked and passed on as given; the code-scanning API refuses a bad one (sarif-upload.ts)'),
    'safety-api-key': free('a secret: masked and passed on as given; safety refuses a bad one'),
    'semgrep-config': bad(['--exec=x', 'not an option']),
    'trivy-image': bad(['--input=/etc/passwd', 'not an option']),
    'tool-versions': TOOL_VERSIONS
  },
  'run-tests': {
    suites: bad(
      ['unit=../outside', 'the path must stay inside the workspace'],
      ['unit=no/such', 'does not exist'],
      ['bad name!=.', 'expected name=path pairs'],
      ['a=.,a=.', 'is used twice']
    ),
    markers: free('a pytest marker expression, passed to pytest -m as one argument; pytest reports a bad one'),
    'pytest-args': bad(['-k "not slow', 'quote arguments as in a shell']),
    parallel: BOOLEAN,
    'allow-empty': BOOLEAN,
    coverage: BOOLEAN,
    'coverage-min': bad(['101', 'from 0 to 100'], ['lots', 'expected a percentage']),
    benchmark: BOOLEAN,
    'benchmark-baseline': bad(['../baseline.json', 'the path must stay inside the workspace'], ['cache:a b', 'expected cache:<key>']),
    'benchmark-max-regression': bad(['ten', 'expected a percentage']),
    'benchmark-save': bad(['always', 'allowed values are auto, true, false']),
    timeout: TIME_LIMIT,
    'pass-env': PASS_ENV,
    'tool-versions': TOOL_VERSIONS
  },
  'build-docs': {
    tool: bad(['hugo', 'allowed values are auto, mkdocs, sphinx']),
    'docs-dir': bad(['../docs', 'the path must stay inside the workspace'], ['no/such/dir', 'no such directory']),
    config: bad(
      ['../mkdocs.yml', 'the path must stay inside the workspace'],
      ['missing.yml', 'no such file'],
      ['packages/one/pyproject.toml', 'expected a mkdocs.yml']
    ),
    strict: BOOLEAN,
    'site-dir': bad(['../site', OUTSIDE]),
    pages: BOOLEAN,
    'pages-artifact-name': bad(['github pages', 'expected a name of letters'], ['../pages', 'expected a name of letters']),
    timeout: TIME_LIMIT,
    'tool-versions': TOOL_VERSIONS
  },
  'build-packages': {
    timeout: TIME_LIMIT,
    backend: bad(['maven', 'allowed values are auto, uv, build, poetry']),
    'dist-dir': bad(['../dist', OUTSIDE]),
    'dependencies-dir': bad(['../deps', OUTSIDE], ['out/deps', 'must not be inside dist-dir', { with: { 'dist-dir': 'out' } }]),
    'expected-version': bad(['one.two', 'expected a PEP 440 version']),
    'version-from-tag': BOOLEAN,
    'tag-format': bad(
      ['{name}-latest', 'lacks {version}'],
      ['{name} v{version}', 'cannot hold spaces'],
      ['{pkg}-v{version}', 'only {name} and {version}']
    ),
    'index-url': bad(['pypi.org/simple', 'expected an http(s) URL'], ['ftp://example.com/simple', 'expected an http(s) URL']),
    'test-install': BOOLEAN,
    smoke: bad(['missing.py', 'no such script'], ['../outside.py', 'must be inside the workspace']),
    'twine-check': BOOLEAN,
    'strict-metadata': BOOLEAN,
    'tool-versions': TOOL_VERSIONS
  },
  'publish-pypi': {
    dists: bad(
      ['not json', 'expected a JSON list'],
      ['{"a":1}', 'expected a JSON list'],
      ['["../x.whl"]', OUTSIDE],
      ['[{"package":"x"}]', 'names no wheel or sdist']
    ),
    'dist-dir': bad(['../dist', OUTSIDE], ['dist', 'are both set', { with: { dists: '["x.whl"]' }, names: 'dists' }]),
    'repository-url': bad(
      ['ftp://example.com/legacy/', 'expected an http(s) URL'],
      ['https://user:pw@example.com/legacy/', 'credentials do not belong in the URL']
    ),
    'index-url': bad(['not a url', 'expected pypi, testpypi, or an http(s) URL']),
    token: bad(['pypi-abc', "Give either 'token' or 'username'/'password'", { with: { username: 'me' }, names: 'token' }]),
    username: bad(['me', "Input 'password' is empty", { names: 'password' }]),
    password: bad(['pw', "Input 'username' is empty", { names: 'username' }]),
    'dry-run': BOOLEAN,
    'strict-metadata': BOOLEAN,
    'skip-existing': BOOLEAN,
    retries: bad(['21', 'from 0 to 20'], ['-1', 'from 0 to 20']),
    'retry-delay': bad(['later', 'expected a duration']),
    timeout: TIME_LIMIT,
    attestations: bad(['sometimes', 'expected true, false or any-index']),
    'fulcio-url': bad(
      ['http://fulcio.example.com', 'plain http only for localhost'],
      ['https://u:p@fulcio.example.com', 'credentials do not belong in the URL']
    ),
    'rekor-url': bad(['not a url', 'expected an https URL'])
  },
  release: {
    bump: bad(['sideways', 'one of auto, patch, minor, major'], ['1 2', 'one of auto, patch, minor, major']),
    versioning: bad(['both', 'allowed values are independent, lockstep']),
    'tag-format': bad(['{name}-latest', 'lacks {version}'], ['v{version}', 'lacks {name}'], ['{name} v{version}', 'cannot hold spaces']),
    'major-version-zero': BOOLEAN,
    changelog: BOOLEAN,
    'changelog-file': bad(['../CHANGES.md', "relative to each package's folder"], ['/etc/CHANGES.md', "relative to each package's folder"]),
    'dry-run': BOOLEAN,
    push: BOOLEAN,
    remote: bad(['-u origin', 'the name of a git remote']),
    token: free('a secret: any value is passed to git as it is'),
    mode: bad(['publish', 'allowed values are prepare, push, github-release']),
    tags: bad(['acme v1', 'git tag names'], ['a..b', 'git tag names']),
    dists: bad(['not json', 'expected a JSON list'], ['["../x.whl"]', OUTSIDE]),
    'dist-dir': bad(['../dist', OUTSIDE], ['dist', 'are both set', { with: { dists: '["x.whl"]' }, names: 'dists' }]),
    provenance: BOOLEAN
  },
  'merge-reports': {
    reports: bad(['../elsewhere', 'must be inside the workspace'], ['/etc', 'must be inside the workspace']),
    matrix: bad(
      ['not json', 'it is not JSON'],
      ['{"a":1}', "expected the plan step's `matrix` output"],
      ['[{"shard":"1/2"}]', 'lacks its shard or packages'],
      ['[{"shard":"3/2","packages":"a"}]', 'out of range']
    )
  },
  'deploy-plan': {
    mode: bad(['deploy', 'allowed values are plan, promote'], ['promote', "needs a reference: 'reference-index-url'"]),
    environments: bad(
      ['main', 'entries of the form <ref pattern>=<environment>'],
      ['main=', 'entries of the form'],
      ['ma in=staging', 'entries of the form']
    ),
    ref: free('any ref: one that matches no pattern deploys nowhere'),
    versions: bad(['dataknobs-common>=1.0', 'name==version entries'], ['a==1,a==2', 'names a twice']),
    'index-url': bad(['pypi.org/simple', 'expected the http:// or https:// URL of a simple index']),
    'reference-index-url': bad(
      ['ftp://example.com/simple', 'expected the http:// or https:// URL of a simple index'],
      ['https://example.com/simple/', 'are both set', { with: { dists: '["x.whl"]' }, names: 'dists' }]
    ),
    dists: bad(['not json', 'expected a JSON list'], ['["../x.whl"]', OUTSIDE]),
    timeout: TIME_LIMIT
  },
  'health-check': {
    version: bad(['1 2', 'expected a version such as 1.2.3']),
    environment: bad(['prod', 'allowed values are development, staging, production'], ['qa', "add more with 'environments'"]),
    environments: free("extra environment names; any name is allowed (they widen what 'environment' accepts)"),
    'index-url': bad(
      ['file:///simple', 'expected an http:// or https:// URL'],
      ['ftp://example.com/simple', 'expected an http:// or https:// URL']
    ),
    'extra-index-url': bad(['example.com/simple', 'expected an http:// or https:// URL']),
    'find-links': bad(['no/such/dir', 'no such directory'], ['ftp://example.com/', 'no such directory']),
    timeout: bad(['0s', 'expected a positive duration'], ['forever', 'expected a duration']),
    'retry-interval': bad(['10ms', 'expected at least 1s'], ['often', 'expected a duration']),
    imports: bad(['os.path,not-a-module', 'expected module names']),
    smoke: bad(['missing.py', 'no such script'], ['../outside.py', 'must be inside the workspace']),
    'smoke-timeout': bad(['0', 'expected a positive duration']),
    urls: bad(['example.com/health', 'expected an http:// or https:// URL'], ['javascript:alert(1)', 'expected an http']),
    'expect-status': bad(['OK', 'expected HTTP status codes'], ['600', 'expected HTTP status codes']),
    'expect-body': free('a substring the response body must contain; any text is a valid one')
  }
}

/** Actions whose inputs no TypeScript parser reads, and where they are checked instead. */
const NOT_PARSED: Record<string, string> = {
  setup: 'a composite action: its manager and cache inputs are checked by its own bash step (a case statement with the allowed values)'
}

// ---------------------------------------------------------------------------------------

const tempDir = tempDirs('dk-bad-inputs-')
let workspace: string
let temp: string

beforeAll(() => {
  workspace = tempDir()
  temp = tempDir()
  // A small repository, so that inputs checked against the workspace have something to find.
  fs.mkdirSync(path.join(workspace, 'packages', 'one', 'src', 'one'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'packages', 'one', 'pyproject.toml'), '[project]\nname = "one"\nversion = "1.0"\n')
  fs.writeFileSync(path.join(workspace, 'packages', 'one', 'src', 'one', '__init__.py'), '')
})

function definition(action: string): ActionDefinition<unknown> {
  return action === 'pipeline' ? (pipelineAction as ActionDefinition<unknown>) : ACTIONS[action]!
}

/** Parses as runAction does (common inputs, then the action's), then resolves the packages. */
async function parse(action: string, inputs: Record<string, string>): Promise<void> {
  const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp })
  const reader = new InputReader(io)
  const common = parseCommonInputs(reader, io, workspace)
  definition(action).parseInputs(reader, common, io)
  await selectPackages(discoverWorkspace(common.workingDirectory), common.packages, common.baseRef, runCommand)
}

async function expectRefused(action: string, inputs: Record<string, string>, name: string, c: BadCase): Promise<void> {
  let caught: unknown
  try {
    await parse(action, inputs)
  } catch (error) {
    caught = error
  }
  const error = userError(() => {
    if (caught !== undefined) throw caught
  })
  expect(error.message).toContain(`'${c.names ?? name}'`)
  expect(error.message).toContain(c.fragment)
}

function actionInputs(file: string): string[] {
  const data = parseYaml(fs.readFileSync(file, 'utf8')) as { inputs?: Record<string, unknown> }
  return Object.keys(data.inputs ?? {})
}

const ACTION_NAMES = Object.keys(ACTION_INPUTS)

interface Case {
  action: string
  input: string
  c: BadCase
}

/** Every bad case of one action: its own rows and the common rows its action.yml lists. */
function casesOf(action: string): Case[] {
  const listed = actionInputs(path.join(REPO, action, 'action.yml'))
  const rows: [string, Row][] = [
    ...Object.entries(COMMON_ROWS).filter(([name]) => listed.includes(name)),
    ...Object.entries(ACTION_INPUTS[action] ?? {})
  ]
  return rows.flatMap(([input, row]) => (row.kind === 'bad' ? row.cases.map((c) => ({ action, input, c })) : []))
}

/** The root action's own inputs besides `stages` (its pipeline metrics: packages-shared/metrics/options.ts). */
const ROOT_ROWS: Record<string, Row> = {
  metrics: bad(['sometimes', 'expected auto, true or false'], ['2', 'expected auto, true or false']),
  'metrics-runs': bad(['3', 'expected a whole number from 4 to 100'], ['101', 'from 4 to 100'], ['many', 'expected a whole number']),
  'metrics-slowdown': bad(
    ['0', 'expected a percentage above 0'],
    ['fast', 'expected a percentage such as 10%'],
    ['-5%', 'expected a percentage']
  ),
  'metrics-failure-rate': bad(['120%', 'expected a percentage from 0% to 100%'], ['often', 'expected a percentage']),
  'metrics-branch': bad(
    ['dk metrics', 'expected a branch name'],
    ['../main', 'expected a branch name'],
    ['metrics.lock', 'expected a branch name']
  ),
  'metrics-name': bad(['py 3.12', 'expected a name of letters, digits'], ['../x', 'expected a name of letters, digits']),
  'pr-comment': BOOLEAN,
  'pr-comment-token': free('a secret: any value is sent to GitHub as it is')
}

/** The root action's cases: the common ones once, each stage's with its prefix. */
function rootCases(): Case[] {
  const out: Case[] = []
  for (const [input, row] of Object.entries(COMMON_ROWS)) {
    if (row.kind === 'bad') for (const c of row.cases) out.push({ action: 'pipeline', input, c })
  }
  const rootListed = actionInputs(path.join(REPO, 'action.yml'))
  for (const stage of STAGES) {
    for (const [input, row] of Object.entries(ACTION_INPUTS[stage.action] ?? {})) {
      // A stage takes only the inputs of its part (the release action's two stages).
      if (row.kind !== 'bad' || !rootListed.includes(`${stage.prefix}-${input}`)) continue
      for (const c of row.cases) {
        const prefixed = Object.fromEntries(Object.entries(c.with ?? {}).map(([k, v]) => [`${stage.prefix}-${k}`, v]))
        out.push({ action: 'pipeline', input: `${stage.prefix}-${input}`, c: { ...c, with: prefixed, names: c.names ?? input } })
      }
    }
  }
  out.push({
    action: 'pipeline',
    input: 'stages',
    c: {
      value: 'quality,deploy',
      fragment: 'allowed values are quality, security, tests, docs, release, build, publish, github-release, deploy-plan, health-check'
    }
  })
  for (const [input, row] of Object.entries(ROOT_ROWS)) {
    if (row.kind === 'bad') for (const c of row.cases) out.push({ action: 'pipeline', input, c })
  }
  return out
}

const ALL_STAGES = STAGES.map((s) => s.name).join(',')

describe("every action parses its defaults (so each refusal below is the bad value's)", () => {
  test.each([...ACTION_NAMES, 'pipeline'])('%s', async (action) => {
    await expect(parse(action, action === 'pipeline' ? { stages: ALL_STAGES } : {})).resolves.toBeUndefined()
  })
})

describe.each(ACTION_NAMES)('%s refuses bad input in one line', (action) => {
  const cases = casesOf(action)
  test.each(cases.map((x) => [x.input, x.c.value, x]))('%s: %j', async (_input, _value, x) => {
    const { input, c } = x as Case
    await expectRefused(action, { ...c.with, [input]: c.value }, input, c)
  })
})

describe('the root action refuses bad input in one line, with the stage prefix', () => {
  test.each(rootCases().map((x) => [x.input, x.c.value, x]))('%s: %j', async (_input, _value, x) => {
    const { input, c } = x as Case
    const inputs = { stages: ALL_STAGES, ...c.with, [input]: c.value }
    // The stage parser names its own input; the root action's user sees it under the prefix.
    await expectRefused('pipeline', inputs, input, c)
  })
})

describe('the table covers every input of every action.yml', () => {
  test.each(ACTION_NAMES)('%s: every input has a row, every row an input', (action) => {
    const listed = actionInputs(path.join(REPO, action, 'action.yml'))
    const rows = Object.keys(ACTION_INPUTS[action]!)
    const missing = listed.filter((name) => !rows.includes(name) && !(name in COMMON_ROWS))
    expect({ action, missing }).toEqual({ action, missing: [] })
    const stale = rows.filter((name) => !listed.includes(name))
    expect({ action, stale }).toEqual({ action, stale: [] })
  })

  test('every action.yml is in the table', () => {
    const dirs = fs.readdirSync(REPO).filter((d) => fs.existsSync(path.join(REPO, d, 'action.yml')) && !(d in NOT_PARSED))
    expect(dirs.sort()).toEqual(ACTION_NAMES.sort())
  })

  test('the root action.yml: every input is common, stages, or a stage input with a row', () => {
    const listed = actionInputs(path.join(REPO, 'action.yml'))
    const missing = listed.filter((name) => {
      if (name === 'stages' || name in ROOT_ROWS || (COMMON_INPUTS.has(name) && name in COMMON_ROWS)) return false
      const stage = STAGES.find((s) => name.startsWith(`${s.prefix}-`))
      return !stage || !(name.slice(stage.prefix.length + 1) in (ACTION_INPUTS[stage.action] ?? {}))
    })
    expect(missing).toEqual([])
  })

  test('every root row is an input of the root action.yml', () => {
    const listed = actionInputs(path.join(REPO, 'action.yml'))
    expect(Object.keys(ROOT_ROWS).filter((name) => !listed.includes(name))).toEqual([])
  })

  test('every common row is an input the actions read through parseCommonInputs', () => {
    expect(Object.keys(COMMON_ROWS).sort()).toEqual([...COMMON_INPUTS].sort())
  })

  test('a free-text row says why nothing is invalid', () => {
    const rows = [...Object.values(COMMON_ROWS), ...Object.values(ACTION_INPUTS).flatMap((r) => Object.values(r))]
    for (const row of rows) {
      if (row.kind === 'free') expect(row.why.length).toBeGreaterThan(20)
      else expect(row.cases.length).toBeGreaterThan(0)
    }
  })
})
