/**
 * What every action.yml must be for the runners that read it: act (and GitHub's own
 * parser) refuse a `${{ }}` expression anywhere but in defaults, values and `runs`, so a
 * description that quotes one makes the action fail to load.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const manifests = ['action.yml', ...fs.readdirSync(REPO).map((d) => path.join(d, 'action.yml'))].filter((f) =>
  fs.existsSync(path.join(REPO, f))
)

test.each(manifests)('%s: no description holds an expression', (file) => {
  const doc = parse(fs.readFileSync(path.join(REPO, file), 'utf8')) as {
    description?: string
    inputs?: Record<string, { description?: string }>
    outputs?: Record<string, { description?: string }>
  }
  const descriptions = [
    ['description', doc.description ?? ''],
    ...Object.entries(doc.inputs ?? {}).map(([name, spec]) => [`inputs.${name}`, spec.description ?? '']),
    ...Object.entries(doc.outputs ?? {}).map(([name, spec]) => [`outputs.${name}`, spec.description ?? ''])
  ]
  expect(descriptions.filter(([, text]) => /\$\{\{/.test(text!)).map(([where]) => where)).toEqual([])
})
