/** build-packages' side of the dist record (packages-shared/dist-record.ts): what this run built, where. */
import type { Runtime } from '../../packages-shared/exec.js'
import { clearDistRecord, writeDistRecord, type RecordedPackage } from '../../packages-shared/dist-record.js'
import type { DistInfo } from './built.js'

export { clearDistRecord }

export function recordedPackages(dists: readonly DistInfo[]): RecordedPackage[] {
  return dists.map((d) => ({
    package: d.package,
    name: d.name,
    version: d.version,
    files: [
      { path: d.wheel, kind: 'wheel' as const, sha256: d.sha256.wheel, size: d.size.wheel },
      { path: d.sdist, kind: 'sdist' as const, sha256: d.sha256.sdist, size: d.size.sdist }
    ]
  }))
}

/** Records the dists for the publish-pypi and health-check steps that follow in this job. */
export async function recordDists(
  rt: Runtime,
  tempDir: string,
  root: string,
  distDir: string,
  dists: readonly DistInfo[],
  passed: boolean
): Promise<string> {
  const file = await writeDistRecord(tempDir, { root, distDir, passed, packages: recordedPackages(dists) }, rt.exec)
  rt.io.info(
    `Recorded ${dists.length * 2} dist(s) in ${file}: publish-pypi and health-check later in this job take them when given no dist-dir.`
  )
  return file
}
