/**
 * What a tool printed reaches the log through io.toolOutput only. This reads every action and
 * shared module with the TypeScript parser and fails on an `info(...)` call whose argument
 * carries a command's output (`.stdout`, `.stderr`, `.output`, `.log`, `.traceback`, a
 * `tail(...)` of it). Raw writes to process.stdout/stderr and console are refused by the
 * lint rule in eslint.config.js.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import ts from 'typescript'

const REPO = path.resolve(import.meta.dirname, '..', '..')
const TOOL_TEXT_PROPS = new Set(['stdout', 'stderr', 'output', 'log', 'traceback'])
const TOOL_TEXT_CALLS = new Set(['tail', 'outputTail', 'errorLines'])

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** `file:line: source` of each info(...) call that passes tool text. */
export function rawToolEchoes(file: string, text: string = fs.readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const carriesToolText = (node: ts.Node): boolean => {
    if (ts.isPropertyAccessExpression(node) && TOOL_TEXT_PROPS.has(node.name.text)) return true
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && TOOL_TEXT_CALLS.has(node.expression.text)) return true
    return ts.forEachChild(node, carriesToolText) ?? false
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'info' &&
      node.arguments.some(carriesToolText)
    ) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart())
      found.push(`${path.relative(REPO, file)}:${line + 1}: ${node.getText().slice(0, 120)}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return found
}

describe('tool output is printed through io.toolOutput', () => {
  test('no action or shared module echoes a command result with info()', () => {
    const files = [...sourceFiles(path.join(REPO, 'actions')), ...sourceFiles(path.join(REPO, 'packages-shared'))]
    expect(files.length).toBeGreaterThan(50)
    expect(files.flatMap((f) => rawToolEchoes(f))).toEqual([])
  })

  test('the check catches the raw echoes it is there for', () => {
    const sample = [
      'ctx.io.info(r.stdout.trimEnd())',
      'io.info(`${output.stderr}`)',
      'io.info(tail(r.stderr, 40))',
      'io.info(`FAILED\\n${i.traceback ?? i.error}`)',
      'io.info(install.output)',
      'io.toolOutput(r.stdout)',
      'io.info(`$ ${command}`)'
    ].join('\n')
    expect(rawToolEchoes(path.join(REPO, 'sample.ts'), sample).map((s) => s.split(': ')[0])).toEqual([
      'sample.ts:1',
      'sample.ts:2',
      'sample.ts:3',
      'sample.ts:4',
      'sample.ts:5'
    ])
  })
})
