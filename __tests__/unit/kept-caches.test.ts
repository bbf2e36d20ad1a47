/**
 * KeptCaches restores the tools' caches before they run and saves what the run changed; a
 * lazy folder (the uv cache) waits until something is about to be installed.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { KeptCaches, type CacheFolder } from '../../packages-shared/tool-caches.js'
import { fakeCache } from '../helpers/fake-cache.js'
import { createMemoryIO, type MemoryIO } from '../helpers/io-memory.js'

describe('KeptCaches: a lazy folder (the uv cache) comes back only when something is installed (a fake cache service)', () => {
  const folders = (root: string): CacheFolder[] => [
    { name: 'mypy', root, dir: 'mypy', key: 'dk-actions-mypy-k', restoreKeys: ['dk-actions-mypy-'] },
    { name: 'uv', root, dir: 'uv', key: 'dk-actions-uv-cache-k', restoreKeys: ['dk-actions-uv-cache-'], lazy: true }
  ]
  const messages = (io: MemoryIO): string[] => io.logs.map((l) => l.message)

  test('nothing installed: the lazy folder is neither restored nor saved', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-kept-'))
    const cache = fakeCache()
    const io = createMemoryIO({}, {})
    const kept = await KeptCaches.restore({ io, cache }, () => folders(root))
    fs.mkdirSync(path.join(root, 'mypy'), { recursive: true })
    fs.writeFileSync(path.join(root, 'mypy', 'a.json'), '{}')
    await kept.save()
    expect(cache.calls.map((c) => `${c.op} ${c.key}`)).toEqual(['restore dk-actions-mypy-k', 'save dk-actions-mypy-k'])
    expect(messages(io)).toContainEqual(expect.stringMatching(/^Caches restored: mypy \(miss\) in .*; uv when something is installed\.$/))
    expect(messages(io)).toContainEqual(expect.stringMatching(/^Caches saved: mypy; not saved: uv \(not needed\) in /))
  })

  test('installs ask for it: restored once however many ask, and saved when they changed it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-kept-'))
    const cache = fakeCache()
    const io = createMemoryIO({}, {})
    const kept = await KeptCaches.restore({ io, cache }, () => folders(root))
    const rt = kept.forInstalls({ io, cache })
    expect(cache.calls.map((c) => c.key)).toEqual(['dk-actions-mypy-k'])
    await Promise.all([rt.beforeInstall(), rt.beforeInstall()])
    await rt.beforeInstall()
    expect(cache.calls.map((c) => c.key)).toEqual(['dk-actions-mypy-k', 'dk-actions-uv-cache-k'])
    fs.mkdirSync(path.join(root, 'uv', 'wheels'), { recursive: true })
    fs.writeFileSync(path.join(root, 'uv', 'wheels', 'w.whl'), 'wheel')
    await kept.save()
    expect(cache.keys()).toEqual(['dk-actions-uv-cache-k'])
    expect(messages(io)).toContainEqual(expect.stringMatching(/^Caches restored for the installs: uv \(miss\) in /))
    expect(messages(io)).toContainEqual(expect.stringMatching(/^Caches saved: uv; not saved: mypy \(empty\) in /))
  })
})
