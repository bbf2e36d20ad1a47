/**
 * A venv's bytecode compiled with a real Python: what is installed gets its .pyc, which an
 * interpreter run as the tools are (PYTHONDONTWRITEBYTECODE=1) then loads instead of the
 * source; a file that does not compile is said in the debug log and stops nothing.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runCommand, type CommandSpec, type Exec } from '../../packages-shared/exec.js'
import { compileVenv } from '../../packages-shared/python/bytecode.js'
import { toolEnv } from '../../packages-shared/python/toolbox.js'
import { venvPython } from '../../packages-shared/paths.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { scratchDirs } from '../helpers/scratch.js'
import { escapeRegExp } from '../../packages-shared/regexp.js'

const scratch = scratchDirs()

/** A venv without pip (quick to make) holding one importable package and one Python 2 file. */
function venvWithPackages(): { venv: string; site: string } {
  const venv = path.join(scratch.tempDir('dk-bytecode-'), 'venv')
  const made = spawnSync('python3', ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' })
  expect(made.status).toBe(0)
  const site = spawnSync(venvPython(venv), ['-c', "import sysconfig; print(sysconfig.get_path('purelib'))"], {
    encoding: 'utf8'
  }).stdout.trim()
  fs.mkdirSync(path.join(site, 'demo_pkg'), { recursive: true })
  fs.writeFileSync(path.join(site, 'demo_pkg', '__init__.py'), 'ANSWER = 42\n')
  fs.writeFileSync(path.join(site, 'py2only.py'), 'print "from Python 2"\n')
  return { venv, site }
}

function recording(): { exec: Exec; specs: CommandSpec[] } {
  const specs: CommandSpec[] = []
  return {
    specs,
    exec: (spec) => {
      specs.push(spec)
      return runCommand(spec)
    }
  }
}

describe('compileVenv', () => {
  test('compiles what is installed, at low priority; the tools then load it without writing any', async () => {
    const { venv, site } = venvWithPackages()
    const io = createMemoryIO()
    const { exec, specs } = recording()
    const env = toolEnv(process.env, scratch.tempDir('dk-bytecode-cache-'), undefined, process.platform, 'install')
    await compileVenv({ io, exec }, venv, env)

    expect(specs).toHaveLength(1)
    expect(specs[0]!.lowPriority).toBe(true)
    const cached = fs.readdirSync(path.join(site, 'demo_pkg', '__pycache__'))
    expect(cached).toEqual([expect.stringMatching(/^__init__\.cpython-\d+\.pyc$/)])
    // As the tools run (bytecode writing off), the compiled module is the one loaded: a source
    // changed under the same size and time still imports as compiled.
    const source = path.join(site, 'demo_pkg', '__init__.py')
    const { mtime } = fs.statSync(source)
    fs.writeFileSync(source, 'ANSWER = 41\n')
    fs.utimesSync(source, mtime, mtime)
    const run = toolEnv(process.env, scratch.tempDir('dk-bytecode-cache-'), undefined, process.platform, 'run')
    const imported = spawnSync(venvPython(venv), ['-c', 'import demo_pkg, sys; print(demo_pkg.ANSWER, sys.flags.dont_write_bytecode)'], {
      encoding: 'utf8',
      env: run as NodeJS.ProcessEnv
    })
    expect(imported.stdout.trim()).toBe('42 1')
  })

  test('a file that does not compile is said in the debug log; the rest is compiled, and nothing throws', async () => {
    const { venv, site } = venvWithPackages()
    const io = createMemoryIO()
    await compileVenv(
      { io, exec: runCommand },
      venv,
      toolEnv(process.env, scratch.tempDir('dk-bytecode-cache-'), undefined, process.platform, 'install')
    )
    expect(fs.existsSync(path.join(site, 'demo_pkg', '__pycache__'))).toBe(true)
    const top = path.join(site, '__pycache__')
    expect((fs.existsSync(top) ? fs.readdirSync(top) : []).filter((f) => f.startsWith('py2only.'))).toEqual([])
    const said = io.logs.filter((l) => l.level === 'debug').map((l) => l.message)
    expect(said).toEqual([
      expect.stringMatching(new RegExp(`^Compiling the bytecode of ${escapeRegExp(venv)} left some files uncompiled \\(exit 1\\)`))
    ])
  })
})
