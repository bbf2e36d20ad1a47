/**
 * When a run may keep caches (cache.ts) and how their keys are made (tool-caches.ts): the
 * events that turn caches off, and keys that change with what the cache is valid for.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { actionsCacheService, atRoot, cachePolicy, cachingAllowed } from '../../packages-shared/cache.js'
import { cacheKey, configTexts, folderDigest, lockTexts, sourceDigest, uvCacheFolder } from '../../packages-shared/tool-caches.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { ruff } from '../../packages-shared/tools/ruff.js'
import { scratchDirs } from '../helpers/scratch.js'

const { tempDir } = scratchDirs()

describe('cachePolicy', () => {
  const on = { cache: true }
  test.each([
    ['a push to a branch', { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }],
    ['a pull request', { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' }],
    ['a schedule', { GITHUB_EVENT_NAME: 'schedule', GITHUB_REF: 'refs/heads/main' }],
    ['a local run', {}]
  ])('%s keeps caches', (_what, env) => {
    expect(cachePolicy(env, on)).toEqual({ allowed: true })
    expect(cachingAllowed(env, on)).toBe(true)
  })

  test.each([
    ['a release', { GITHUB_EVENT_NAME: 'release', GITHUB_REF: 'refs/tags/v1.0.0' }, 'release events'],
    ['a tag push', { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.0.0' }, 'tag pushes (refs/tags/v1.0.0)'],
    ['pull_request_target', { GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_REF: 'refs/heads/main' }, 'cache poisoning']
  ])('%s turns caches off', (_what, env, why) => {
    const policy = cachePolicy(env, on)
    expect(policy.allowed).toBe(false)
    expect(policy.allowed ? '' : policy.why).toContain(why)
    expect(cachingAllowed(env, on)).toBe(false)
  })

  test('cache: false turns them off on any event', () => {
    expect(cachePolicy({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }, { cache: false })).toEqual({
      allowed: false,
      why: 'cache: false'
    })
  })

  test("the service is off with the policy's reason, or quietly without a cache service (local runs)", () => {
    const runner = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' }
    expect(
      actionsCacheService({ ...runner, GITHUB_EVENT_NAME: 'release' }, cachePolicy({ GITHUB_EVENT_NAME: 'release' }, { cache: true }))
    ).toMatchObject({ off: 'release events build without caches', offNotice: true })
    expect(actionsCacheService({}, { allowed: true })).toMatchObject({ off: 'no cache service on this runner', offNotice: false })
    expect(actionsCacheService(runner, { allowed: true }).off).toBeUndefined()
  })
})

describe('cache keys', () => {
  const parts = { name: 'mypy', facts: ['mypy==2.4.1'], config: ['.\npyproject.toml:tool.mypy={"strict":true}'], content: 'c0ffee' }

  test('the key names the cache, the OS and the architecture; the restore key is the key without the content', () => {
    const { key, restoreKeys } = cacheKey({ ...parts, platform: 'linux', arch: 'x64' })
    expect(key).toMatch(/^dk-actions-mypy-linux-x64-[0-9a-f]{20}-c0ffee$/)
    expect(restoreKeys).toEqual([key.slice(0, -'c0ffee'.length)])
    expect(cacheKey({ ...parts, platform: 'darwin', arch: 'arm64' }).key).toMatch(/^dk-actions-mypy-darwin-arm64-/)
    expect(cacheKey(parts).key).toContain(`-${process.platform}-${process.arch}-`)
  })

  test('a new tool version, configuration or lock changes the prefix; new sources only the content', () => {
    const base = cacheKey(parts)
    for (const changed of [
      { facts: ['mypy==2.5.0'] },
      { config: ['.\npyproject.toml:tool.mypy={"strict":false}'] },
      { config: [...parts.config, 'uv.lock=abc'] }
    ]) {
      const other = cacheKey({ ...parts, ...changed })
      expect(other.restoreKeys[0]).not.toBe(base.restoreKeys[0])
    }
    const newSources = cacheKey({ ...parts, content: 'beef' })
    expect(newSources.restoreKeys).toEqual(base.restoreKeys)
    expect(newSources.key).not.toBe(base.key)
  })

  test("configTexts reads the tool's pyproject table and own files, in the root and in packages; a version bump is no change", () => {
    const root = tempDir('dk-cache-keys-')
    const pkg = path.join(root, 'packages', 'a')
    fs.mkdirSync(pkg, { recursive: true })
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "root"\nversion = "1.0.0"\n\n[tool.mypy]\nstrict = true\n')
    fs.writeFileSync(path.join(pkg, 'mypy.ini'), '[mypy]\nwarn_return_any = True\n')
    const ws = { root, packages: [{ dir: pkg }] }
    const before = configTexts(ws, mypy.config)
    expect(before).toEqual(['.\npyproject.toml:tool.mypy={"strict":true}', 'packages/a\nmypy.ini=[mypy]\nwarn_return_any = True\n'])
    // ruff's configuration is elsewhere: none here.
    expect(configTexts(ws, ruff.config)).toEqual([])

    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "root"\nversion = "1.1.0"\n\n[tool.mypy]\nstrict = true\n')
    expect(configTexts(ws, mypy.config)).toEqual(before)
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "root"\nversion = "1.1.0"\n\n[tool.mypy]\nstrict = false\n')
    expect(configTexts(ws, mypy.config)).not.toEqual(before)
    const key = (texts: string[]) => cacheKey({ ...parts, config: texts }).restoreKeys[0]
    expect(key(configTexts(ws, mypy.config))).not.toBe(key(before))

    expect(lockTexts(ws)).toEqual([])
    fs.writeFileSync(path.join(root, 'uv.lock'), 'version = 1\n')
    expect(lockTexts(ws)).toEqual([expect.stringMatching(/^uv\.lock=[0-9a-f]{64}$/)])
  })

  test('sourceDigest follows the Python sources only; folderDigest tells an unchanged folder from a changed one', () => {
    const root = tempDir('dk-cache-src-')
    fs.mkdirSync(path.join(root, 'src', '__pycache__'), { recursive: true })
    fs.writeFileSync(path.join(root, 'src', 'a.py'), 'A = 1\n')
    const first = sourceDigest(root, ['src'])
    fs.writeFileSync(path.join(root, 'src', 'notes.txt'), 'not Python')
    fs.writeFileSync(path.join(root, 'src', '__pycache__', 'b.py'), 'ignored')
    expect(sourceDigest(root, ['src'])).toBe(first)
    fs.writeFileSync(path.join(root, 'src', 'a.py'), 'A = 2\n')
    expect(sourceDigest(root, ['src'])).not.toBe(first)

    const dir = path.join(root, 'cache')
    expect(folderDigest(dir)).toBe('')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'index.json'), '{}')
    const d = folderDigest(dir)
    // Rewritten with the same text (pytest's nodeids every run): unchanged.
    fs.writeFileSync(path.join(dir, 'index.json'), '{}')
    expect(folderDigest(dir)).toBe(d)
    fs.writeFileSync(path.join(dir, 'index.json'), '{"a":1}')
    expect(folderDigest(dir)).not.toBe(d)
  })

  test('the uv cache is kept only when it is ours; its key follows the locks and the requirements', () => {
    const root = tempDir('dk-cache-uv-')
    const ws = { root, packages: [] }
    expect(uvCacheFolder({ UV_CACHE_DIR: '/home/me/.cache/uv' }, '/t/cache', ws, ['black==26.10.1'])).toBeUndefined()
    const a = uvCacheFolder({}, '/t/cache', ws, ['black==26.10.1'])!
    expect(a).toMatchObject({
      name: 'uv',
      root: '/t/cache',
      dir: 'uv',
      restoreKeys: [`dk-actions-uv-cache-${process.platform}-${process.arch}-`]
    })
    expect(uvCacheFolder({}, '/t/cache', ws, ['black==26.10.2'])!.key).not.toBe(a.key)
    fs.writeFileSync(path.join(root, 'poetry.lock'), '# lock\n')
    expect(uvCacheFolder({}, '/t/cache', ws, ['black==26.10.1'])!.key).not.toBe(a.key)
  })
})

describe('cache calls take turns: one with a root changes the folder and GITHUB_WORKSPACE, so none runs beside it', () => {
  test('a call without a root, started while a call with a root is in its turn, waits and sees the folder and workspace unchanged', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-turn-'))
    const cwd = process.cwd()
    const workspace = process.env.GITHUB_WORKSPACE
    const seen: string[] = []
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const first = atRoot(root, async () => {
      seen.push(`root call in ${process.cwd()}`)
      await held
    })
    const second = atRoot(undefined, async () => {
      seen.push(`plain call in ${process.cwd()}, workspace ${process.env.GITHUB_WORKSPACE}`)
    })
    await new Promise((r) => setTimeout(r, 20))
    // The plain call has not run while the root call holds its turn.
    expect(seen).toEqual([`root call in ${fs.realpathSync(root)}`])
    release()
    await Promise.all([first, second])
    expect(seen[1]).toBe(`plain call in ${cwd}, workspace ${workspace}`)
    expect(process.cwd()).toBe(cwd)
  })
})
