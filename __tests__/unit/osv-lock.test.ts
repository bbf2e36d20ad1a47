import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareVersions } from '../../packages-shared/pypa/versions.js'
import { affects, loadOsvDatabase, queryOsv, type OsvRecord } from '../../actions/run-security/osv-db.js'
import { startOsvServer } from '../../actions/run-security/osv-server.js'
import { closureOf, findLockFile, readLockFile } from '../../actions/run-security/lock-files.js'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'security')

describe('PEP 440 ordering', () => {
  test.each([
    ['2.10', '2.10.1', -1],
    ['2.10', '2.9', 1],
    ['1.0', '1.0.0', 0],
    ['1.0rc1', '1.0', -1],
    ['1.0.dev1', '1.0a1', -1],
    ['1.0.post1', '1.0', 1],
    ['1!0.1', '2.0', 1],
    ['1.0-post2', '1.0.post1', 1],
    ['v1.2', '1.2', 0],
    ['1.0a1', '1.0b1', -1]
  ])('%s vs %s', (a, b, want) => expect(Math.sign(compareVersions(a, b)!)).toBe(want))
})

describe('OSV matching', () => {
  const rec: OsvRecord = {
    id: 'GHSA-1',
    affected: [
      {
        package: { name: 'Jinja2', ecosystem: 'PyPI' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.10.1' }, { introduced: '3.0' }, { last_affected: '3.0.2' }] }
        ],
        versions: ['2.11.0']
      }
    ]
  }
  test.each([
    ['2.10', true],
    ['2.10.1', false],
    ['2.11.0', true],
    ['2.11.3', false],
    ['3.0.1', true],
    ['3.0.3', false]
  ])('jinja2 %s affected: %s', (v, want) => {
    expect(affects(rec, 'jinja2', v)).toBe(want)
  })
  test('withdrawn records and other ecosystems never match', () => {
    expect(affects({ ...rec, withdrawn: '2024-01-01' }, 'jinja2', '2.10')).toBe(false)
    expect(affects({ ...rec, affected: [{ ...rec.affected![0]!, package: { name: 'jinja2', ecosystem: 'npm' } }] }, 'jinja2', '2.10')).toBe(
      false
    )
  })
  test('a directory of JSON and YAML records, served as POST /v1/query', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osv-'))
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(rec))
    fs.writeFileSync(
      path.join(dir, 'b.yaml'),
      'id: PYSEC-2\naffected:\n  - package: {name: PyYAML, ecosystem: PyPI}\n    ranges:\n      - type: ECOSYSTEM\n        events: [{introduced: "0"}, {fixed: 5.10}]\n'
    )
    const db = loadOsvDatabase(dir)
    expect(db.records).toBe(2)
    expect(queryOsv(db, 'pyyaml', '5.9').map((r) => r.id)).toEqual(['PYSEC-2'])
    expect(queryOsv(db, 'pyyaml', '5.10')).toEqual([])
    const server = await startOsvServer(db)
    try {
      const ask = async (body: unknown): Promise<{ status: number; json: { vulns?: OsvRecord[] } }> => {
        const res = await fetch(server.url, { method: 'POST', body: JSON.stringify(body) })
        return { status: res.status, json: (await res.json()) as { vulns?: OsvRecord[] } }
      }
      const hit = await ask({ package: { name: 'jinja2', ecosystem: 'PyPI' }, version: '2.10' })
      expect(hit.json.vulns!.map((v) => v.id)).toEqual(['GHSA-1'])
      expect(hit.json.vulns![0]!.affected![0]!.package!.name).toBe('jinja2')
      expect((await ask({ package: { name: 'jinja2', ecosystem: 'PyPI' }, version: '3.1.6' })).json).toEqual({})
      expect((await ask({ version: '1' })).status).toBe(400)
    } finally {
      await server.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
  test('an empty or missing directory is a clear input error', () => {
    expect(() => loadOsvDatabase('/nonexistent/osv')).toThrow("Input 'advisory-db'")
  })
})

describe('lock files', () => {
  test('poetry.lock: versions and the line of each entry', () => {
    const dir = path.join(FIXTURES, 'vulnerable', 'packages', 'app')
    const found = findLockFile(dir, path.join(FIXTURES, 'vulnerable'))
    expect(found).toEqual({ file: path.join(dir, 'poetry.lock'), kind: 'poetry' })
    const lock = readLockFile(found!.file, 'poetry')
    expect(lock.packages.map((p) => [p.id, p.version, p.line, p.registry])).toEqual([
      ['jinja2', '2.10', 4, true],
      ['markupsafe', '1.1.1', 22, true]
    ])
    expect(lock.packages[0]!.dependencies).toEqual(['markupsafe'])
  })
  test('uv.lock: workspace members are not audited, and each dependency is traced to the members using it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvlock-'))
    fs.writeFileSync(
      path.join(dir, 'uv.lock'),
      [
        'version = 1',
        '',
        '[[package]]',
        'name = "a"',
        'version = "0.1.0"',
        'source = { editable = "packages/a" }',
        'dependencies = [{ name = "requests" }]',
        '',
        '[[package]]',
        'name = "b"',
        'version = "0.1.0"',
        'source = { editable = "packages/b" }',
        '',
        '[[package]]',
        'name = "requests"',
        'version = "2.0.0"',
        'source = { registry = "https://pypi.org/simple" }',
        'dependencies = [{ name = "urllib3" }]',
        '',
        '[[package]]',
        'name = "urllib3"',
        'version = "1.0"',
        'source = { registry = "https://pypi.org/simple" }',
        ''
      ].join('\n')
    )
    const lock = readLockFile(path.join(dir, 'uv.lock'), 'uv')
    expect(lock.packages.map((p) => [p.id, p.registry, p.line])).toEqual([
      ['a', false, 4],
      ['b', false, 10],
      ['requests', true, 15],
      ['urllib3', true, 21]
    ])
    expect([...closureOf(lock, 'a', [])].sort()).toEqual(['a', 'requests', 'urllib3'])
    expect([...closureOf(lock, 'b', [])]).toEqual(['b'])
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
