/**
 * PEP 508 markers: each case evaluated by markers.ts and by the packaging library pip uses
 * (from DK_CI_VENV, .ci/requirements.txt), in the same environment, must agree.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { MarkerError, evaluateMarker, parseMarker, type MarkerEnvironment } from '../../packages-shared/pypa/markers.js'
import { runCommand } from '../../packages-shared/exec.js'
import { findPython, readMarkerEnvironment } from '../../packages-shared/python/interpreter.js'

const LINUX: MarkerEnvironment = {
  implementation_name: 'cpython',
  implementation_version: '3.11.7',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  platform_release: '6.1.0-18-amd64',
  platform_system: 'Linux',
  platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1',
  python_full_version: '3.11.7',
  python_version: '3.11',
  sys_platform: 'linux'
}
const WINDOWS_RC: MarkerEnvironment = {
  ...LINUX,
  os_name: 'nt',
  sys_platform: 'win32',
  platform_system: 'Windows',
  platform_machine: 'AMD64',
  python_full_version: '3.13.0rc2',
  python_version: '3.13',
  implementation_version: '3.13.0rc2'
}

const CASES = [
  'python_version < "3.10"',
  'python_version >= "3.8" and python_version < "4.0"',
  'python_full_version >= "3.9.2" and python_version < "4.0"',
  'python_full_version >= "3.13.0"',
  'python_full_version == "3.13.*"',
  'python_version ~= "3.11"',
  '"3.9" < python_version',
  'sys_platform == "win32" or (os_name == "posix" and platform_machine != "aarch64")',
  "sys_platform != 'darwin' and implementation_name == 'cpython'",
  '"linux" in sys_platform',
  '"arm" not in platform_machine',
  'platform_release >= "5"',
  'sys_platform < "z" or sys_platform >= "linux"',
  'platform_release == "6.1.0-18-amd64"',
  'python_version == "abc"',
  'os.name == "nt"',
  'extra == "dev"',
  'python_version > "3.11" or python_version <= "3.8"'
]

function packagingAnswers(envs: MarkerEnvironment[]): boolean[][] {
  const venv = process.env.DK_CI_VENV
  if (!venv) throw new Error('This test needs DK_CI_VENV: a venv with .ci/requirements.txt installed (packaging). npm test creates it.')
  const python = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', 'python')
  const script = [
    'import json, sys',
    'from packaging.markers import Marker',
    'cases, envs = json.loads(sys.stdin.read())',
    'print(json.dumps([[Marker(c).evaluate(dict(e, extra="")) for c in cases] for e in envs]))'
  ].join('\n')
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify([CASES, envs]), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`packaging did not evaluate the markers: ${r.stderr}`)
  return JSON.parse(r.stdout) as boolean[][]
}

test('every marker evaluates as packaging evaluates it, on Linux and on Windows with a pre-release Python', () => {
  const envs = [LINUX, WINDOWS_RC]
  const expected = packagingAnswers(envs)
  const ours = envs.map((env) => CASES.map((c) => evaluateMarker(c, env)))
  expect(ours).toEqual(expected)
  // The cases are not all one answer: both sides say true and false somewhere in each environment.
  for (const row of expected) expect(new Set(row)).toEqual(new Set([true, false]))
})

test.each([
  ['python_version >> "3"', /at position 17/],
  ['"a" == "a"', /a comparison of a marker variable with a quoted string at position 8/],
  ['os_name == sys_platform', /a comparison of a marker variable with a quoted string/],
  ['python_version <', /expected a marker variable or a quoted string at the end/],
  ['(python_version < "3"', /expected '\)' at the end/],
  ['pythonversion < "3"', /expected a marker variable/],
  ['python_version < "3" and', /at the end/],
  ['python_version < "3" xor os_name == "nt"', /unexpected text at position 22/]
])('%s is no marker: %s', (marker, message) => {
  expect(() => parseMarker(marker)).toThrow(MarkerError)
  expect(() => parseMarker(marker)).toThrow(message)
})

test('~= and === are comparisons of versions only: elsewhere an error, as in packaging', () => {
  for (const m of ['platform_version ~= "abc"', 'platform_python_implementation === "CPython"', 'python_version ~= "3"'])
    expect(() => evaluateMarker(m, LINUX)).toThrow(MarkerError)
})

test('the interpreter query gives the marker environment; lines missing give none', () => {
  const lines = [
    'cpython',
    '3 12 1 final 0',
    'posix',
    'darwin',
    'Darwin',
    '23.4.0',
    'Darwin Kernel Version 23.4.0',
    'arm64',
    '3 12 1 final 0'
  ]
  expect(readMarkerEnvironment(lines)).toEqual({
    implementation_name: 'cpython',
    implementation_version: '3.12.1',
    os_name: 'posix',
    sys_platform: 'darwin',
    platform_system: 'Darwin',
    platform_release: '23.4.0',
    platform_version: 'Darwin Kernel Version 23.4.0',
    platform_machine: 'arm64',
    platform_python_implementation: 'CPython',
    python_full_version: '3.12.1',
    python_version: '3.12'
  })
  expect(
    readMarkerEnvironment(['pypy', '7 3 15 final 0', 'posix', 'linux', 'Linux', '6', '#1', 'x86_64', '3 10 13 final 0'])
  ).toMatchObject({
    platform_python_implementation: 'PyPy',
    implementation_version: '7.3.15',
    python_version: '3.10'
  })
  // A release candidate: python_full_version as platform.python_version() spells it, implementation_version as packaging's format_full_version.
  expect(
    readMarkerEnvironment(['cpython', '3 13 0 candidate 2', 'nt', 'win32', 'Windows', '11', '10.0.22631', 'AMD64', '3 13 0 candidate 2'])
  ).toMatchObject({
    implementation_version: '3.13.0c2',
    python_full_version: '3.13.0rc2',
    python_version: '3.13'
  })
  expect(readMarkerEnvironment([...lines.slice(0, 8), '3 14 0 alpha 1'])).toMatchObject({ python_full_version: '3.14.0a1' })
  expect(readMarkerEnvironment(lines.slice(0, 4))).toBeUndefined()
})

test("a real interpreter's answer is the environment packaging reads for it", async () => {
  const venv = process.env.DK_CI_VENV
  if (!venv) throw new Error('This test needs DK_CI_VENV (npm test creates it).')
  const python = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', 'python')
  const found = await findPython(python, { PATH: process.env.PATH }, runCommand)
  const r = spawnSync(python, ['-c', 'import json; from packaging.markers import default_environment as d; print(json.dumps(d()))'], {
    encoding: 'utf8'
  })
  expect(r.status).toBe(0)
  expect(found.markers).toEqual(JSON.parse(r.stdout))
})
