// The benches time the sources as they are, compiled by tsc without bundling, so the
// figures are those of the modules themselves.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** Compiles `files` (relative to root) and what they import into `out`, laid out as under root. */
export function compileSources(root, out, files) {
  fs.rmSync(out, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      ...['--outDir', out, '--rootDir', root, '--noEmit', 'false', '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--strict'],
      ...files.map((f) => path.join(root, f))
    ],
    { cwd: root, stdio: 'inherit' }
  )
}
