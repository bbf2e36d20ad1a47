/**
 * Which uv wheel fits which machine, read from the file names of the real uv 0.13.8 project
 * page (captured from pypi.org), the way pip ranks them: the best platform tag first.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseSimpleJson } from '../../packages-shared/pypa/simple-index.js'
import {
  hostPlatform,
  macosFromDarwin,
  pickWheel,
  platformTags,
  wheelTags,
  type HostPlatform
} from '../../packages-shared/pypa/wheel-tags.js'

const PAGE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'captured',
  'simple-index',
  'pypi-org-uv-0.13.8.json'
)
const FILES = [...parseSimpleJson(fs.readFileSync(PAGE, 'utf8')).keys()]

const glibc = (minor: number): HostPlatform['libc'] => ({ family: 'glibc', major: 2, minor })
const MUSL: HostPlatform['libc'] = { family: 'musl', major: 1, minor: 2 }

describe('the uv wheel for each machine', () => {
  test('the captured page is the real one: 18 wheels and the sdist of 0.13.8', () => {
    expect(FILES).toHaveLength(19)
    expect(FILES.filter((f) => f.endsWith('.whl'))).toHaveLength(18)
  })

  test.each([
    ['linux', 'x64', glibc(36), undefined, 'manylinux_2_17_x86_64.manylinux2014_x86_64'],
    ['linux', 'x64', glibc(17), undefined, 'manylinux_2_17_x86_64.manylinux2014_x86_64'],
    ['linux', 'x64', MUSL, undefined, 'musllinux_1_1_x86_64'],
    // A newer manylinux tag outranks an older one, as pip ranks them: 2.28 before 2.17.
    ['linux', 'arm64', glibc(39), undefined, 'manylinux_2_28_aarch64'],
    ['linux', 'arm64', glibc(27), undefined, 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64'],
    ['linux', 'arm64', MUSL, undefined, 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64'],
    ['linux', 'ia32', glibc(31), undefined, 'manylinux_2_17_i686.manylinux2014_i686'],
    ['linux', 'ia32', MUSL, undefined, 'musllinux_1_1_i686'],
    // Two files share the best tag: the pick does not depend on the listing's order.
    ['linux', 'arm', glibc(31), undefined, 'manylinux_2_17_armv7l.manylinux2014_armv7l.musllinux_1_1_armv7l'],
    ['linux', 'ppc64', glibc(34), undefined, 'manylinux_2_17_ppc64le.manylinux2014_ppc64le'],
    ['linux', 's390x', glibc(34), undefined, 'manylinux_2_17_s390x.manylinux2014_s390x'],
    ['linux', 'riscv64', glibc(39), undefined, 'manylinux_2_31_riscv64.musllinux_1_1_riscv64'],
    ['darwin', 'x64', undefined, [10, 13], 'macosx_10_12_x86_64'],
    ['darwin', 'x64', undefined, [15, 0], 'macosx_10_12_x86_64'],
    ['darwin', 'arm64', undefined, [14, 0], 'macosx_11_0_arm64'],
    ['win32', 'x64', undefined, undefined, 'win_amd64'],
    ['win32', 'arm64', undefined, undefined, 'win_arm64'],
    ['win32', 'ia32', undefined, undefined, 'win32']
  ] as const)('%s %s %j %j: %s', (platform, arch, libc, macos, tag) => {
    const host: HostPlatform = { platform, arch, libc, macos: macos ? [macos[0], macos[1]] : undefined }
    expect(pickWheel(FILES, 'uv', '0.13.8', host)).toBe(`uv-0.13.8-py3-none-${tag}.whl`)
  })

  test.each([
    ['glibc too old for manylinux_2_17', { platform: 'linux', arch: 'x64', libc: glibc(12) }],
    ['macOS older than the 10.12 the wheel asks for', { platform: 'darwin', arch: 'x64', macos: [10, 11] }],
    ['an arm64 Mac on a 10.x release (none exists)', { platform: 'darwin', arch: 'arm64', macos: [10, 15] }],
    ['a CPU uv has no wheel for', { platform: 'linux', arch: 'loong64', libc: glibc(38) }],
    ['an OS with no wheel tags here', { platform: 'freebsd', arch: 'x64' }]
  ] as [string, HostPlatform][])('nothing fits: %s', (_, host) => {
    expect(pickWheel(FILES, 'uv', '0.13.8', host)).toBeUndefined()
  })

  test('another version, another project, or an sdist is never picked', () => {
    const host: HostPlatform = { platform: 'linux', arch: 'x64', libc: glibc(36) }
    expect(pickWheel(FILES, 'uv', '0.13.7', host)).toBeUndefined()
    expect(pickWheel(['ruff-0.13.8-py3-none-manylinux_2_17_x86_64.whl', 'uv-0.13.8.tar.gz'], 'uv', '0.13.8', host)).toBeUndefined()
    // A wheel for one interpreter's ABI is not an interpreter-independent one.
    expect(pickWheel(['uv-0.13.8-cp312-cp312-manylinux_2_17_x86_64.whl'], 'uv', '0.13.8', host)).toBeUndefined()
  })
})

describe('platform tags, best first', () => {
  test('glibc: every manylinux version down to 2.5 on x86_64, each legacy alias after its PEP 600 tag, then linux', () => {
    const tags = platformTags({ platform: 'linux', arch: 'x64', libc: glibc(28) })
    expect(tags[0]).toBe('manylinux_2_28_x86_64')
    expect(tags.slice(tags.indexOf('manylinux_2_17_x86_64'), tags.indexOf('manylinux_2_17_x86_64') + 3)).toEqual([
      'manylinux_2_17_x86_64',
      'manylinux2014_x86_64',
      'manylinux_2_16_x86_64'
    ])
    expect(tags).toContain('manylinux2010_x86_64')
    expect(tags.slice(-3)).toEqual(['manylinux_2_5_x86_64', 'manylinux1_x86_64', 'linux_x86_64'])
    expect(tags.some((t) => t.startsWith('musllinux'))).toBe(false)
  })

  test('glibc on aarch64 stops at 2.17; musl lists musllinux only', () => {
    const arm = platformTags({ platform: 'linux', arch: 'arm64', libc: glibc(17) })
    expect(arm).toEqual(['manylinux_2_17_aarch64', 'manylinux2014_aarch64', 'linux_aarch64'])
    expect(platformTags({ platform: 'linux', arch: 'x64', libc: MUSL })).toEqual([
      'musllinux_1_2_x86_64',
      'musllinux_1_1_x86_64',
      'musllinux_1_0_x86_64',
      'linux_x86_64'
    ])
  })

  test('macOS: newest release first, universal2 after the native format; x86_64 still takes 10.x wheels on 11 and later', () => {
    const arm = platformTags({ platform: 'darwin', arch: 'arm64', macos: [13, 0] })
    expect(arm).toEqual([
      'macosx_13_0_arm64',
      'macosx_13_0_universal2',
      'macosx_12_0_arm64',
      'macosx_12_0_universal2',
      'macosx_11_0_arm64',
      'macosx_11_0_universal2'
    ])
    const intel = platformTags({ platform: 'darwin', arch: 'x64', macos: [12, 0] })
    expect(intel[0]).toBe('macosx_12_0_x86_64')
    expect(intel).toContain('macosx_10_16_x86_64')
    expect(intel).toContain('macosx_10_0_universal2')
  })

  test('Darwin kernel releases as macOS releases (a lower bound past Darwin 24)', () => {
    expect(macosFromDarwin('16.7.0')).toEqual([10, 12])
    expect(macosFromDarwin('19.6.0')).toEqual([10, 15])
    expect(macosFromDarwin('20.1.0')).toEqual([11, 0])
    expect(macosFromDarwin('23.6.0')).toEqual([14, 0])
    // Darwin 25 is macOS 26: 16 is below it, which is all a wheel's minimum is compared with.
    expect(macosFromDarwin('25.0.0')).toEqual([16, 0])
    expect(macosFromDarwin('not a release')).toBeUndefined()
  })

  test('this machine: its OS and CPU, and on Linux its C library', () => {
    const host = hostPlatform()
    expect(host).toMatchObject({ platform: process.platform, arch: process.arch })
    if (process.platform === 'linux') expect(host.libc?.family).toMatch(/^(glibc|musl)$/)
    if (process.platform === 'darwin') expect(host.macos?.[0]).toBeGreaterThanOrEqual(10)
    if (process.platform === 'win32') expect(host.libc).toBeUndefined()
  })

  test('wheel file names: every tag of a compressed tag set, a build tag allowed', () => {
    expect(wheelTags('uv-0.13.8-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual({
      name: 'uv',
      version: '0.13.8',
      pythons: ['py3'],
      abis: ['none'],
      platforms: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64']
    })
    expect(wheelTags('uv-0.13.8-1-py2.py3-none-any.whl')?.pythons).toEqual(['py2', 'py3'])
    expect(wheelTags('uv-0.13.8.tar.gz')).toBeUndefined()
    expect(wheelTags('uv-py3-none-any.whl')).toBeUndefined()
  })
})
