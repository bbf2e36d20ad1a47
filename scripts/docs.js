#!/usr/bin/env node
// Keeps each action's README in step with its action.yml: the inputs and outputs tables
// between the dk-actions markers are generated. `--check` fails (for CI) when a README
// differs from what its action.yml says, e.g. an input added without regenerating.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')

const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .trim()

export function tables(manifest) {
  const inputs = Object.entries(manifest.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${cell(spec?.description)} | ${spec?.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``} |`
  )
  const outputs = Object.entries(manifest.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec?.description)} |`)
  return {
    inputs: ['| input | description | default |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| output | description |', '| --- | --- |', ...outputs].join('\n')
  }
}

function replaceBlock(text, name, body, file) {
  const start = `<!-- dk-actions:${name} -->`
  const end = `<!-- /dk-actions:${name} -->`
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i < 0 || j < i) throw new Error(`${file} lacks the ${start} ... ${end} markers`)
  return text.slice(0, i + start.length) + '\n' + body + '\n' + text.slice(j)
}

const targets = []
for (const e of fs.readdirSync(root, { withFileTypes: true })) {
  if (e.isDirectory() && fs.existsSync(path.join(root, e.name, 'action.yml'))) {
    targets.push({ manifest: path.join(root, e.name, 'action.yml'), readme: path.join(root, e.name, 'README.md') })
  }
}
if (fs.existsSync(path.join(root, 'action.yml'))) {
  targets.push({ manifest: path.join(root, 'action.yml'), readme: path.join(root, 'docs', 'pipeline.md') })
}

let stale = 0
for (const t of targets.sort((a, b) => a.manifest.localeCompare(b.manifest))) {
  const rel = path.relative(root, t.readme)
  const manifest = parse(fs.readFileSync(t.manifest, 'utf8'))
  if (!fs.existsSync(t.readme)) {
    console.error(`${rel} is missing: every action needs a README with its inputs and outputs.`)
    stale++
    continue
  }
  const text = fs.readFileSync(t.readme, 'utf8')
  let next
  try {
    const { inputs, outputs } = tables(manifest)
    next = replaceBlock(replaceBlock(text, 'inputs', inputs, rel), 'outputs', outputs, rel)
  } catch (error) {
    console.error(error.message)
    stale++
    continue
  }
  if (next !== text) {
    if (check) {
      console.error(`${rel} is out of date with ${path.relative(root, t.manifest)}: run \`npm run docs\`.`)
      stale++
    } else {
      fs.writeFileSync(t.readme, next)
      console.log(`updated ${rel}`)
    }
  }
}
if (stale) process.exit(1)
console.log(check ? `docs: ${targets.length} README(s) match their action.yml` : 'docs: up to date')
