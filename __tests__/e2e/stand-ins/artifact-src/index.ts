// Upload or download a workflow artifact with @actions/artifact, as the official
// upload-artifact and download-artifact actions do; used only by the act end-to-end runs.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { DefaultArtifactClient } from '@actions/artifact'

function files(p: string): string[] {
  if (!fs.existsSync(p)) return []
  if (fs.statSync(p).isFile()) return [p]
  return fs.readdirSync(p).flatMap((e) => files(path.join(p, e)))
}

async function main(): Promise<void> {
  const client = new DefaultArtifactClient()
  const name = core.getInput('name')
  const target = path.resolve(process.env.GITHUB_WORKSPACE ?? '.', core.getInput('path') || '.')
  if (core.getInput('mode') === 'upload') {
    const list = files(target)
    if (list.length === 0) {
      const msg = `No files found at ${target}`
      if (core.getInput('if-no-files-found') === 'error') throw new Error(msg)
      core.warning(msg)
      return
    }
    const root = fs.statSync(target).isFile() ? path.dirname(target) : target
    const res = await client.uploadArtifact(name, list, root)
    core.info(`uploaded ${name}: ${list.length} file(s), id ${res.id}`)
    core.setOutput('artifact-id', String(res.id))
  } else {
    const { artifact } = await client.getArtifact(name)
    fs.mkdirSync(target, { recursive: true })
    await client.downloadArtifact(artifact.id, { path: target })
    core.info(`downloaded ${name} to ${target}`)
    core.setOutput('download-path', target)
  }
}

main().catch((e: unknown) => core.setFailed(e instanceof Error ? e.message : String(e)))
