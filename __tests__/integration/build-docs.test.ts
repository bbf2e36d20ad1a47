/**
 * The build-docs bundle with the real tools, installed by the action from PyPI: mkdocs on
 * a small site whose home page links to a page that does not exist (and the same site with
 * the link fixed, packed for Pages), and sphinx on a project that refers to a label defined
 * nowhere, with its own docs/requirements.txt.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, foreignCommands, nodeBinaries, runBundle } from './harness.js'

const BROKEN = 'The page this links to does not exist: [a missing page](missing.md).'
const BROKEN_MESSAGE = "Doc file 'index.md' contains a link 'missing.md', but the target is not found among documentation files."

/** The annotations of one severity, as the runner reads them from the log. */
function annotationLines(stdout: string, severity: 'error' | 'warning'): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(`::${severity} `) || l.startsWith(`::${severity}::`))
}

function fixedMkdocs(): string {
  const ws = copyFixture('__tests__/fixtures/docs-mkdocs')
  const index = path.join(ws, 'docs', 'index.md')
  const text = fs.readFileSync(index, 'utf8')
  // The fixture must hold the seeded link, or the broken-link test proves nothing.
  expect(text).toContain(BROKEN)
  fs.writeFileSync(index, text.replace(BROKEN, 'The guide again: [the guide](guide.md).'))
  return ws
}

describe.each(nodeBinaries())('build-docs on $label', (node) => {
  test('mkdocs --strict: the seeded broken link fails the build, annotated at docs/index.md', async () => {
    const ws = copyFixture('__tests__/fixtures/docs-mkdocs')
    const run = await runBundle('build-docs', { install: 'isolated' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs.tool).toBe('mkdocs')
    // The annotation a reviewer sees on the file, at the line of the link.
    expect(annotationLines(run.stdout, 'error')).toEqual([
      `::error title=mkdocs validation.links.not_found,file=docs/index.md,line=5::${BROKEN_MESSAGE}`,
      '::error::Documentation failed: 1 error(s), 0 warning(s). See the step summary for details.'
    ])
    expect(run.annotations.filter((a) => a.props.file)).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: BROKEN_MESSAGE,
        props: expect.objectContaining({ file: 'docs/index.md', line: '5' })
      })
    ])
    const [check] = run.report!.checks
    expect(check).toMatchObject({ tool: 'mkdocs', status: 'failed', toolVersion: '1.6.1', toolVersionSource: 'dk-actions default' })
    expect(check!.findings).toEqual([expect.objectContaining({ file: 'docs/index.md', line: 5, severity: 'error' })])
    expect(run.outputs.findings).toBe('1')
    // mkdocs' own log reached the step's log, and none of it as a command.
    expect(run.stdout).toContain('Aborted with 1 warnings in strict mode!')
    expect(foreignCommands(run)).toEqual([])
  })

  test('mkdocs without strict: the same link is a warning and the build passes', async () => {
    const ws = copyFixture('__tests__/fixtures/docs-mkdocs')
    const run = await runBundle('build-docs', { install: 'isolated', strict: 'false' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(0)
    expect(run.annotations.filter((a) => a.props.file)).toEqual([
      expect.objectContaining({ severity: 'warning', props: expect.objectContaining({ file: 'docs/index.md', line: '5' }) })
    ])
  })

  test('mkdocs, the link fixed: the build passes, the site has index.html, and pages: true packs it into artifact.tar', async () => {
    const ws = fixedMkdocs()
    const run = await runBundle('build-docs', { install: 'isolated', pages: 'true' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(run.annotations.filter((a) => a.severity === 'error' || a.severity === 'warning')).toEqual([])
    const site = run.outputs['site-dir']!
    expect(fs.readFileSync(path.join(site, 'index.html'), 'utf8')).toContain('The guide again')
    expect(fs.existsSync(path.join(site, 'guide', 'index.html'))).toBe(true)
    // What deploy-pages takes: one tar of the site at its root (locally the artifact service is absent, so it stays on disk).
    const tar = run.outputs['pages-tar']!
    expect(path.basename(tar)).toBe('artifact.tar')
    const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n')
    expect(names).toEqual(expect.arrayContaining(['./', './index.html', './guide/index.html', './sitemap.xml']))
    expect(names.filter((n) => n.includes('.dk-actions-output'))).toEqual([])
    expect(run.outputs['pages-artifact']).toBe('')
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ severity: 'notice', message: expect.stringContaining("Artifact 'github-pages' not uploaded") })
    )
    expect(run.summary).toContain('### Documentation')
  })

  test('sphinx -W: the seeded undefined label is a finding with its file and line; docs/requirements.txt makes the environment', async () => {
    const ws = copyFixture('__tests__/fixtures/docs-sphinx')
    const run = await runBundle('build-docs', {}, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.tool).toBe('sphinx')
    expect(annotationLines(run.stdout, 'error')[0]).toBe(
      "::error title=sphinx ref.ref,file=docs/index.rst,line=8::undefined label: 'a-label-that-does-not-exist'"
    )
    const [check] = run.report!.checks
    expect(check).toMatchObject({ tool: 'sphinx', status: 'failed', toolVersion: '9.0.4', toolVersionSource: 'docs/requirements.txt' })
    expect(check!.findings).toEqual([
      {
        tool: 'sphinx',
        severity: 'error',
        rule: 'ref.ref',
        file: 'docs/index.rst',
        line: 8,
        message: "undefined label: 'a-label-that-does-not-exist'"
      }
    ])
    expect(run.report!.docs).toMatchObject({
      tool: 'sphinx',
      config: 'docs/conf.py',
      environment: { kind: 'requirements', requirements: 'docs/requirements.txt' }
    })
    // The doctrees stay out of the site.
    expect(fs.existsSync(path.join(run.outputs['site-dir']!, '.doctrees'))).toBe(false)
    expect(fs.existsSync(path.join(run.outputs['site-dir']!, 'index.html'))).toBe(true)
    expect(foreignCommands(run)).toEqual([])
  })

  test('a repository without documentation passes with a notice and builds nothing; tool: mkdocs makes it an error with the fix', async () => {
    const ws = copyFixture('__tests__/fixtures/docs-mkdocs')
    fs.rmSync(path.join(ws, 'mkdocs.yml'))
    const run = await runBundle('build-docs', {}, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(0)
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ severity: 'notice', message: expect.stringContaining('nothing to build') })
    )
    expect(run.summary).toContain('Nothing built')
    expect(run.outputs['site-dir']).toBe('')
    const named = await runBundle('build-docs', { tool: 'mkdocs' }, { workspace: ws, node: node.path })
    expect(named.exitCode).toBe(1)
    expect(named.stdout).toContain(
      "::error::Input 'tool' is mkdocs, but there is no mkdocs.yml or mkdocs.yaml in the working directory. Set 'docs-dir'"
    )
  })
})
