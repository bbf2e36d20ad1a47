// Uploads or downloads a workflow artifact through act's artifact server, for the act runs
// only. It speaks the server's container routes (`/_apis/pipelines/workflows/<run>/artifacts`):
// act 0.2.87 answers the newer results API's blob uploads with 401, so @actions/artifact
// cannot be used against it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { commonRoot } from '../../../../packages-shared/paths.js'

function files(p: string): string[] {
  if (!fs.existsSync(p)) return []
  if (fs.statSync(p).isFile()) return [p]
  return fs.readdirSync(p).flatMap((e) => files(path.join(p, e)))
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init)
  const text = await r.text()
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${r.status} ${text}`)
  return JSON.parse(text) as T
}

async function upload(base: string, name: string, targets: string[]): Promise<void> {
  const list = targets.flatMap(files)
  if (list.length === 0) {
    const msg = `No files found at ${targets.join(', ')}`
    if (core.getInput('if-no-files-found') === 'error') throw new Error(msg)
    core.warning(msg)
    return
  }
  const root = commonRoot(targets.map((t) => (fs.existsSync(t) && fs.statSync(t).isFile() ? path.dirname(t) : t)))
  const created = await json<{ fileContainerResourceUrl: string }>(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Type: 'actions_storage', Name: name })
  })
  let size = 0
  for (const file of list) {
    const data = fs.readFileSync(file)
    size += data.length
    const item = `${name}/${path.relative(root, file).split(path.sep).join('/')}`
    await json(`${created.fileContainerResourceUrl}?itemPath=${encodeURIComponent(item)}`, {
      method: 'PUT',
      headers: data.length ? { 'content-range': `bytes 0-${data.length - 1}/${data.length}` } : {},
      body: data
    })
  }
  await json(`${base}?artifactName=${encodeURIComponent(name)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Size: size })
  })
  core.info(`uploaded ${name}: ${list.length} file(s), ${size} bytes`)
}

async function download(base: string, name: string, target: string): Promise<void> {
  const listing = await json<{ value: { name: string; fileContainerResourceUrl: string }[] }>(base)
  const artifact = listing.value.find((a) => a.name === name)
  if (!artifact) throw new Error(`no artifact named ${name}; the run has: ${listing.value.map((a) => a.name).join(', ')}`)
  const items = await json<{ value: { path: string; itemType: string; contentLocation: string }[] }>(
    `${artifact.fileContainerResourceUrl}?itemPath=${encodeURIComponent(name)}`
  )
  for (const item of items.value.filter((i) => i.itemType === 'file')) {
    const r = await fetch(item.contentLocation)
    if (!r.ok) throw new Error(`GET ${item.contentLocation}: ${r.status}`)
    const dest = path.join(target, item.path.replace(new RegExp(`^${name}/`), ''))
    fs.mkdirSync(path.dirname(dest), { recursive: true })
    fs.writeFileSync(dest, Buffer.from(await r.arrayBuffer()))
  }
  core.info(`downloaded ${name} to ${target}`)
  core.setOutput('download-path', target)
}

/** `pattern` (a glob of `*` only): every matching artifact, each into its own folder under the target, as download-artifact does. */
async function downloadMatching(base: string, pattern: string, target: string): Promise<void> {
  const listing = await json<{ value: { name: string }[] }>(base)
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`
  )
  const names = listing.value
    .map((a) => a.name)
    .filter((n) => re.test(n))
    .sort()
  for (const name of names) await download(base, name, path.join(target, name))
  core.info(`downloaded ${names.length} artifact(s) matching ${pattern}: ${names.join(', ')}`)
}

async function main(): Promise<void> {
  const runtime = process.env.ACTIONS_RUNTIME_URL
  if (!runtime) throw new Error('ACTIONS_RUNTIME_URL is not set: start act with --artifact-server-path')
  const base = `${runtime.replace(/\/$/, '')}/_apis/pipelines/workflows/${process.env.GITHUB_RUN_ID}/artifacts`
  const name = core.getInput('name')
  const paths = (core.getInput('path') || '.')
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean)
  const targets = paths.map((p) => path.resolve(process.env.GITHUB_WORKSPACE ?? '.', p))
  if (core.getInput('mode') === 'upload') await upload(base, name, targets)
  else if (core.getInput('pattern')) await downloadMatching(base, core.getInput('pattern'), targets[0]!)
  else await download(base, name, targets[0]!)
}

main().catch((e: unknown) => core.setFailed(e instanceof Error ? e.message : String(e)))
