/**
 * health-check's pure parts: reading pip's and uv's failures (captured from the real tools
 * under fixtures/captured/{pip,uv}), pypiserver's project page (captured), version
 * comparison, the `packages` entries, the import checker's output, and input validation.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseCommonInputs } from '../../packages-shared/context.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { classifyInstallFailure } from '../../actions/health-check/install-errors.js'
import { errorLines, failureReason } from '../../packages-shared/install-output.js'
import { parseImportOutput } from '../../actions/health-check/imports.js'
import { parseHealthInputs, parseSmoke } from '../../actions/health-check/inputs.js'
import { installArgv, unlisted } from '../../actions/health-check/install.js'
import { redact } from '../../packages-shared/secrets.js'
import { parseProjectPage, projectUrl } from '../../packages-shared/pypa/simple-index.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { versionKey } from '../../packages-shared/pypa/versions.js'
import { lastTraceback } from '../../actions/health-check/smoke.js'
import { parseTargetSpec } from '../../actions/health-check/targets.js'
import { statusOk } from '../../actions/health-check/urls.js'

const CAPTURED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captured')
const captured = (tool: string, name: string): string =>
  ['stdout', 'stderr'].map((s) => fs.readFileSync(path.join(CAPTURED, tool, `${name}.${s}`), 'utf8')).join('\n')

describe('classifyInstallFailure on captured pip and uv output', () => {
  test.each([
    ['pip', 'not-found-version', 'not-found'],
    ['pip', 'not-found-project', 'not-found'],
    ['pip', 'conflict', 'broken'],
    ['uv', 'not-found-version', 'not-found'],
    ['uv', 'not-found-project', 'not-found'],
    ['uv', 'only-older-available', 'not-found'],
    ['uv', 'conflict', 'broken'],
    ['uv', 'unreachable', 'unreachable']
  ])('%s %s is %s', (tool, name, expected) => {
    expect(classifyInstallFailure(captured(tool, name))).toBe(expected)
  })

  test('pip with an unreachable index says only "not found"; the index probe tells them apart', () => {
    // Captured with --retries 0: pip's own words cannot tell an unreachable index from a missing release.
    expect(classifyInstallFailure(captured('pip', 'unreachable'))).toBe('not-found')
  })

  test('a build failure is broken', () => {
    expect(
      classifyInstallFailure('error: subprocess-exited-with-error\n× Getting requirements to build wheel did not run successfully.')
    ).toBe('broken')
  })

  test('errorLines keeps the error and cause lines', () => {
    expect(errorLines(captured('uv', 'not-found-version'))).toBe(
      'error: No solution found when resolving dependencies\n' +
        '  cause: Because there is no version of dataknobs-common==9.9.9 and you require dataknobs-common==9.9.9, we can conclude that your requirements are unsatisfiable.'
    )
    expect(errorLines(captured('pip', 'not-found-version'))).toContain('ERROR: No matching distribution found for dataknobs-common==9.9.9')
  })
})

describe('failureReason: the conflict itself in one line', () => {
  // conflict-two-packages: quill-a 1.0 needs quill-dep<1, quill-b 1.0 needs quill-dep>=2 (local wheels, uv 0.13.8 and pip 23.2.1).
  test('uv: the error, then its whole cause paragraph (two lines) folded onto it', () => {
    const reason = failureReason(errorLines(captured('uv', 'conflict-two-packages')))
    expect(reason).toBe(
      'error: No solution found when resolving dependencies cause: Because all versions of quill-b depend on quill-dep>=2 and all versions of quill-a depend on quill-dep<1, ' +
        'we can conclude that all versions of quill-a and all versions of quill-b are incompatible. And because you require quill-a==1.0 and quill-b==1.0, we can conclude that your requirements are unsatisfiable.'
    )
  })

  test("pip: the error, then the list under 'The conflict is caused by:', which errorLines keeps", () => {
    const lines = errorLines(captured('pip', 'conflict-two-packages'))
    expect(lines).toContain('    quill-b 1.0 depends on quill-dep>=2')
    expect(lines).not.toContain('To fix this you could try to')
    expect(failureReason(lines)).toBe(
      'ERROR: Cannot install quill-a==1.0 and quill-b==1.0 because these package versions have conflicting dependencies. ' +
        'The conflict is caused by: quill-a 1.0 depends on quill-dep<1 quill-b 1.0 depends on quill-dep>=2'
    )
  })

  test('an error without an explanation stays one line, and a long one is cut', () => {
    expect(failureReason(errorLines(captured('uv', 'conflict')))).toMatch(
      /^error: No solution found when resolving dependencies cause: Because you require dataknobs-common==1\.0\.0/
    )
    expect(failureReason('error: build failed\nmore')).toBe('error: build failed')
    expect(failureReason(`error: ${'x'.repeat(2000)}`)).toHaveLength(800)
  })
})

describe('simple index pages', () => {
  test('pypiserver HTML (PEP 503) lists file names and versions', () => {
    const html = fs.readFileSync(path.join(CAPTURED, 'pypiserver', 'simple-dataknobs-common.html'), 'utf8')
    const files = [...parseProjectPage(html, 'text/html; charset=UTF-8').keys()]
    expect(files).toEqual(['dataknobs_common-1.0.0-py3-none-any.whl', 'dataknobs_common-1.0.0.tar.gz'])
    expect(files.map((f) => versionsInFiles('dataknobs-common', [f])[0])).toEqual(['1.0.0', '1.0.0'])
  })

  test('PEP 691 JSON', () => {
    const json = JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'x',
      files: [{ filename: 'Dataknobs.Common-2.0rc1.tar.gz' }, { filename: 'dataknobs_common-2.0-py3-none-any.whl' }]
    })
    const files = [...parseProjectPage(json, 'application/vnd.pypi.simple.v1+json').keys()]
    expect(files.map((f) => versionsInFiles('Dataknobs.Common', [f])[0])).toEqual(['2.0rc1', '2.0'])
  })

  test('versionsInFiles ignores other projects sharing a prefix', () => {
    expect(versionsInFiles('dataknobs-common', ['dataknobs_common_extra-1.0-py3-none-any.whl'])[0]).toBeUndefined()
    expect(versionsInFiles('dataknobs-common', ['other-1.0.tar.gz'])[0]).toBeUndefined()
  })

  test('projectUrl normalises the name and the slashes', () => {
    expect(projectUrl('http://h/simple', 'Dataknobs_Common')).toBe('http://h/simple/dataknobs-common/')
    expect(projectUrl('http://h/simple/', 'x')).toBe('http://h/simple/x/')
  })

  test.each([
    ['1.0', '1.0.0'],
    ['v1.2.0', '1.2'],
    ['1.0-RC1', '1.0rc1'],
    ['1.0.alpha.2', '1.0a2'],
    ['1.0-1', '1.0.post1'],
    ['1.0.dev', '1.0.dev0'],
    ['0!1.0', '1.0']
  ])('%s equals %s', (a, b) => {
    expect(versionKey(a)).toBe(versionKey(b))
  })

  test.each([
    ['1.0', '1.0.1'],
    ['1.0rc1', '1.0'],
    ['1.0.post1', '1.0'],
    ['1.10', '1.1']
  ])('%s differs from %s', (a, b) => {
    expect(versionKey(a)).not.toBe(versionKey(b))
  })

  test('a target counts as unlisted only when every index said so', () => {
    const t = { name: 'a', id: 'a', version: '1', source: 'packages' as const }
    expect(unlisted([t], { a: { i1: { state: 'not-listed', versions: [] }, i2: { state: 'not-listed', versions: [] } } })).toEqual([t])
    expect(unlisted([t], { a: { i1: { state: 'not-listed', versions: [] }, i2: { state: 'unknown', versions: [] } } })).toEqual([])
    expect(unlisted([t], {})).toEqual([])
  })
})

describe('installArgv', () => {
  const source = { indexUrl: 'http://i/simple/', extraIndexUrls: ['http://e/simple/'], findLinks: ['/d'] }
  test('uv bypasses its cache', () => {
    expect(installArgv('/v', '/bin/uv', source, ['a==1'])).toEqual([
      '/bin/uv',
      'pip',
      'install',
      '--python',
      '/v/bin/python',
      '--no-cache',
      '--index-url',
      'http://i/simple/',
      '--extra-index-url',
      'http://e/simple/',
      '--find-links',
      '/d',
      'a==1'
    ])
  })
  test('pip bypasses its cache', () => {
    expect(installArgv('/v', undefined, source, ['a==1']).slice(0, 7)).toEqual([
      '/v/bin/python',
      '-m',
      'pip',
      'install',
      '--no-cache-dir',
      '--no-input',
      '--disable-pip-version-check'
    ])
  })
  test('redact hides credentials in URLs', () => {
    expect(redact('--index-url https://user:s3cret@host/simple/')).toBe('--index-url https://***@host/simple/')
  })
})

describe('packages entries', () => {
  test('name==version entries need no repository; names select repository packages', () => {
    const spec = parseTargetSpec({ mode: 'list', items: ['dataknobs-common==1.2.3', 'Dataknobs_Utils == v2.0', 'structures'] })
    expect(spec.pinned).toEqual([
      { name: 'dataknobs-common', id: 'dataknobs-common', version: '1.2.3', source: 'packages' },
      { name: 'Dataknobs_Utils', id: 'dataknobs-utils', version: '2.0', source: 'packages' }
    ])
    expect(spec.repository).toEqual({ mode: 'list', items: ['structures'] })
    expect(parseTargetSpec({ mode: 'list', items: ['a==1'] }).repository).toBeUndefined()
    expect(parseTargetSpec({ mode: 'all' })).toEqual({ pinned: [], repository: { mode: 'all' } })
  })
  test.each(['a>=1', 'a=1', 'a==', '==1'])('%s is refused with the expected form', (item) => {
    expect(() => parseTargetSpec({ mode: 'list', items: [item] })).toThrow(/expected name==version/)
  })
  test('a name twice is refused', () => {
    expect(() => parseTargetSpec({ mode: 'list', items: ['a==1', 'A==2'] })).toThrow(/names A twice/)
  })
})

describe('import checker output', () => {
  test('reads the JSON lines and ignores what modules print', () => {
    const out = [
      'hello from a module',
      '@@dk {"kind": "dist", "package": "p", "version": "1.0", "modules": ["p"]}',
      '@@dk {"kind": "import", "package": "p", "module": "p", "ok": false, "ms": 3, "error": "RuntimeError: x", "traceback": "Traceback (most recent call last):\\n  File \\"p.py\\", line 1\\nRuntimeError: x\\n"}',
      '@@dk {"kind": "dist", "package": "q", "version": null, "modules": []}'
    ].join('\n')
    const r = parseImportOutput(out)
    expect(r.dists).toEqual([
      { package: 'p', version: '1.0', modules: ['p'] },
      { package: 'q', version: undefined, modules: [] }
    ])
    expect(r.imports).toEqual([
      {
        package: 'p',
        module: 'p',
        ok: false,
        durationMs: 3,
        error: 'RuntimeError: x',
        traceback: 'Traceback (most recent call last):\n  File "p.py", line 1\nRuntimeError: x'
      }
    ])
  })
  test('lastTraceback takes the last traceback of stderr', () => {
    expect(
      lastTraceback(
        'noise\nTraceback (most recent call last):\n  a\nValueError: 1\nmore\nTraceback (most recent call last):\n  b\nKeyError: 2\n'
      )
    ).toBe('Traceback (most recent call last):\n  b\nKeyError: 2')
    expect(lastTraceback('no traceback')).toBeUndefined()
  })
})

describe('health-check inputs', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-hc-unit-'))
  fs.writeFileSync(path.join(ws, 'smoke.py'), 'print(1)\n')
  const parse = (inputs: Record<string, string>) => {
    const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: ws, RUNNER_TEMP: os.tmpdir() })
    const reader = new InputReader(io)
    return { io, inputs: parseHealthInputs(reader, parseCommonInputs(reader, io, ws), io) }
  }

  test('defaults', () => {
    const { inputs } = parse({ packages: 'a==1' })
    expect(inputs).toMatchObject({
      environment: 'production',
      indexUrl: 'https://pypi.org/simple/',
      timeoutMs: 600_000,
      retryIntervalMs: 30_000,
      smoke: { kind: 'none' },
      expectStatus: []
    })
  })
  test('environments extends the allowed names; others are refused naming the allowed ones', () => {
    expect(parse({ packages: 'a==1', environment: 'QA', environments: 'qa, canary' }).inputs.environment).toBe('qa')
    expect(() => parse({ packages: 'a==1', environment: 'prod' })).toThrow(
      "Input 'environment' has an invalid value \"prod\": allowed values are development, staging, production (add more with 'environments')."
    )
  })
  test('index credentials are masked before use', () => {
    const { io } = parse({ packages: 'a==1', 'index-url': 'https://__token__:pypi-secret@example.org/simple/' })
    expect(io.secrets).toContain('pypi-secret')
  })
  test.each([
    ['index-url', 'ftp://x'],
    ['urls', 'not a url'],
    ['expect-status', '2xx'],
    ['timeout', 'soon'],
    ['retry-interval', '10ms'],
    ['imports', 'a-b'],
    ['find-links', 'no/such/dir'],
    ['version', '1 .0']
  ])('%s=%s is one clear line', (name, value) => {
    expect(() => parse({ packages: 'a==1', [name]: value })).toThrow(new RegExp(`^Input '${name}' has an invalid value`))
  })
  test('smoke: a .py path that exists is a script, anything else inline code', () => {
    expect(parseSmoke('smoke.py', ws)).toEqual({ kind: 'script', file: path.join(ws, 'smoke.py') })
    expect(parseSmoke('import x\nprint(x)', ws)).toEqual({ kind: 'inline', code: 'import x\nprint(x)' })
    expect(() => parseSmoke('missing.py', ws)).toThrow(/no such script/)
    expect(() => parseSmoke('../outside.py', ws)).toThrow(/inside the workspace/)
  })
  test('statusOk: any 2xx by default, else the listed ones', () => {
    expect(statusOk(204, [])).toBe(true)
    expect(statusOk(500, [])).toBe(false)
    expect(statusOk(503, [503])).toBe(true)
    expect(statusOk(200, [503])).toBe(false)
  })
})

describe('index-url: none', () => {
  test('installs only from find-links, with --no-index', () => {
    const argv = installArgv('/tmp/venv', undefined, { indexUrl: '', extraIndexUrls: [], findLinks: ['/dists'] }, ['a==1'])
    expect(argv).toContain('--no-index')
    expect(argv).not.toContain('--index-url')
    expect(argv.slice(argv.indexOf('--find-links'), argv.indexOf('--find-links') + 2)).toEqual(['--find-links', '/dists'])
  })
})

describe('find-links directories', () => {
  test('a directory with one folder of dists per package adds each folder', async () => {
    const fs = await import('node:fs')
    const os = await import('node:os')
    const path = await import('node:path')
    const { distSubdirs } = await import('../../actions/health-check/inputs.js')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-fl-'))
    fs.mkdirSync(path.join(dir, 'a'))
    fs.writeFileSync(path.join(dir, 'a', 'a-1.0-py3-none-any.whl'), '')
    fs.mkdirSync(path.join(dir, 'empty'))
    expect(distSubdirs(dir)).toEqual([path.join(dir, 'a')])
  })
})

describe('find-links trees', () => {
  test('folders of dists at any depth up to three are found (an artifact of several dist trees)', async () => {
    const fs = await import('node:fs')
    const os = await import('node:os')
    const path = await import('node:path')
    const { distSubdirs } = await import('../../actions/health-check/inputs.js')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-fl-'))
    for (const rel of ['dist/a', 'dist-dependencies/b']) {
      fs.mkdirSync(path.join(dir, rel), { recursive: true })
      fs.writeFileSync(path.join(dir, rel, 'x-1.0.tar.gz'), '')
    }
    expect(distSubdirs(dir)).toEqual([path.join(dir, 'dist-dependencies/b'), path.join(dir, 'dist/a')])
  })
})
