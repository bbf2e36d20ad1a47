/**
 * A real package index for the publish tests: pypiserver (from DK_CI_VENV) on 127.0.0.1
 * and a free port, with authentication on (an htpasswd file written with passlib) and no
 * fallback to PyPI. Stopped by the test in afterAll.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

export function ciVenv(): string {
  const venv = process.env.DK_CI_VENV
  if (!venv || !fs.existsSync(path.join(venv, 'bin', 'pypi-server'))) {
    throw new Error('These tests need DK_CI_VENV: a venv with .ci/requirements.txt installed (pypiserver, passlib). .ci/run creates it.')
  }
  return venv
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

export interface LocalIndex {
  /** The upload URL (pypiserver takes uploads at its root). */
  url: string
  simpleUrl: string
  packagesDir: string
  /** File names the index stores, sorted. */
  files(): string[]
  stop(): Promise<void>
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
    await r.text()
    // 401: up, and guarding reads.
    return r.status === 200 || r.status === 401
  } catch {
    return false
  }
}

/**
 * Starts pypiserver with `users` (name → password) allowed to upload; `authenticate` lists
 * the actions that need credentials (pypiserver's -a: `update`, or `download,list,update`
 * for an index that guards reads too).
 */
export async function startPypiServer(users: Record<string, string>, authenticate = 'update'): Promise<LocalIndex> {
  const venv = ciVenv()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-index-'))
  const packagesDir = path.join(dir, 'packages')
  fs.mkdirSync(packagesDir)
  const htpasswd = path.join(dir, 'htpasswd')
  execFileSync(
    path.join(venv, 'bin', 'python'),
    [
      '-c',
      'import json,sys\nfrom passlib.apache import HtpasswdFile\nh=HtpasswdFile(sys.argv[1], new=True)\nfor u,p in json.load(sys.stdin).items(): h.set_password(u,p)\nh.save()',
      htpasswd
    ],
    { input: JSON.stringify(users) }
  )
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort()
    const log = fs.openSync(path.join(dir, `server-${port}.log`), 'w')
    const child: ChildProcess = spawn(
      path.join(venv, 'bin', 'pypi-server'),
      ['run', '-i', '127.0.0.1', '-p', String(port), '-P', htpasswd, '-a', authenticate, '--disable-fallback', packagesDir],
      { stdio: ['ignore', log, log] }
    )
    const url = `http://127.0.0.1:${port}/`
    let up = false
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      if (await answers(`${url}simple/`)) {
        // Another process may own the port; ours has then exited on the bind error.
        await sleep(300)
        up = child.exitCode === null
        break
      }
      await sleep(100)
    }
    if (!up) {
      child.kill()
      continue
    }
    return {
      url,
      simpleUrl: `${url}simple/`,
      packagesDir,
      files: () => fs.readdirSync(packagesDir).sort(),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill()
        })
    }
  }
  throw new Error(`pypiserver did not start; see the logs in ${dir}`)
}
