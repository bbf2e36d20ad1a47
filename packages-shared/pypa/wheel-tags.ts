/**
 * Wheel compatibility tags (PEP 425) for interpreter-independent wheels (`py3-none-<platform>`,
 * the way tools such as uv ship a binary): the tags a wheel's file name carries, the platform
 * tags a machine accepts, best first, and the wheel of a listing pip would pick for it. The
 * platform tags follow what pip accepts (packaging.tags): manylinux (PEP 600 and its legacy
 * aliases) by the running glibc, musllinux (PEP 656) where there is no glibc, macOS by the
 * release and architecture, Windows by the architecture.
 */
import * as os from 'node:os'
import type { Platform } from '../paths.js'
import { normalizeName } from '../names.js'
import { sameVersion } from './versions.js'

export interface WheelTags {
  name: string
  version: string
  /** Every tag of each part: `manylinux_2_17_x86_64.manylinux2014_x86_64` is two platforms. */
  pythons: string[]
  abis: string[]
  platforms: string[]
}

/** The tags of a wheel file name, or undefined for a name that is not a wheel's. */
export function wheelTags(filename: string): WheelTags | undefined {
  if (!filename.endsWith('.whl')) return undefined
  const parts = filename.slice(0, -4).split('-')
  if (parts.length !== 5 && parts.length !== 6) return undefined
  const [python, abi, platform] = parts.slice(-3) as [string, string, string]
  return { name: parts[0]!, version: parts[1]!, pythons: python.split('.'), abis: abi.split('.'), platforms: platform.split('.') }
}

/** The C library of a Linux machine; undefined elsewhere. */
export interface Libc {
  family: 'glibc' | 'musl'
  major: number
  minor: number
}

/** What decides which platform tags fit: the OS, Node's name of the CPU, the libc (Linux), the release (macOS). */
export interface HostPlatform {
  platform: Platform
  arch: string
  libc?: Libc
  /** macOS major and minor, a lower bound (enough to compare with a wheel's minimum). */
  macos?: [number, number]
}

/**
 * musl keeps its version out of every place Node reports, and musllinux wheels ask for 1.1 or
 * 1.2: every maintained musl distribution (Alpine since 3.13) has 1.2. A machine with an older
 * one is caught by running the executable after.
 */
const MUSL_ASSUMED: Libc = { family: 'musl', major: 1, minor: 2 }

/** The glibc version in Node's diagnostic report (`glibcVersionRuntime`), absent on a musl system. */
function linuxLibc(): Libc {
  // Node 20.13 and later read excludeNetwork; the types do not name it yet.
  const report = process.report as NodeJS.ProcessReport & { excludeNetwork?: boolean }
  const exclude = report.excludeNetwork
  // The network part of a report can wait on name lookups; the header is all we read.
  report.excludeNetwork = true
  let header: { glibcVersionRuntime?: string } | undefined
  try {
    header = (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
  } finally {
    report.excludeNetwork = exclude
  }
  const m = /^(\d+)\.(\d+)/.exec(header?.glibcVersionRuntime ?? '')
  return m ? { family: 'glibc', major: Number(m[1]), minor: Number(m[2]) } : MUSL_ASSUMED
}

/**
 * macOS from the Darwin kernel's major version: Darwin 20 is macOS 11, and each major since is
 * at least one macOS major more (Darwin 25 is macOS 26); before 20, Darwin N is 10.(N-4).
 */
export function macosFromDarwin(release: string): [number, number] | undefined {
  const major = Number(/^(\d+)\./.exec(release)?.[1])
  if (!Number.isInteger(major) || major < 8) return undefined
  return major >= 20 ? [major - 9, 0] : [10, major - 4]
}

/** This machine. */
export function hostPlatform(platform: Platform = process.platform, arch: string = process.arch): HostPlatform {
  if (platform === 'linux') return { platform, arch, libc: linuxLibc() }
  if (platform === 'darwin') return { platform, arch, macos: macosFromDarwin(os.release()) }
  return { platform, arch }
}

/** Node's CPU names as the platform tags spell them (packaging: `platform.machine()`). */
const LINUX_MACHINE: Record<string, string> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ia32: 'i686',
  arm: 'armv7l',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64'
}
const WINDOWS_TAG: Record<string, string> = { x64: 'win_amd64', arm64: 'win_arm64', ia32: 'win32' }
/** The macOS binary formats a CPU runs, its own first (packaging's `_mac_binary_formats`). */
const MAC_FORMATS: Record<string, string[]> = {
  x64: ['x86_64', 'intel', 'fat64', 'fat32', 'universal2', 'universal'],
  arm64: ['arm64', 'universal2']
}
/** manylinux's legacy names, each the alias of the PEP 600 tag it follows. */
const LEGACY_MANYLINUX: Record<string, string> = { '2_17': 'manylinux2014', '2_12': 'manylinux2010', '2_5': 'manylinux1' }

function linuxTags(machine: string, libc: Libc): string[] {
  const tags: string[] = []
  if (libc.family === 'glibc' && libc.major === 2) {
    // The oldest glibc manylinux covers: 2.5 on x86, 2.17 on the other CPUs.
    const oldest = machine === 'x86_64' || machine === 'i686' ? 5 : 17
    for (let minor = libc.minor; minor >= oldest; minor--) {
      tags.push(`manylinux_2_${minor}_${machine}`)
      const legacy = LEGACY_MANYLINUX[`2_${minor}`]
      if (legacy && (legacy === 'manylinux2014' || machine === 'x86_64' || machine === 'i686')) tags.push(`${legacy}_${machine}`)
    }
  } else if (libc.family === 'musl' && libc.major === 1) {
    for (let minor = libc.minor; minor >= 0; minor--) tags.push(`musllinux_1_${minor}_${machine}`)
  }
  tags.push(`linux_${machine}`)
  return tags
}

function macTags(arch: string, macos: [number, number]): string[] {
  const formats = MAC_FORMATS[arch] ?? []
  const versions: [number, number][] = []
  if (macos[0] >= 11) for (let major = macos[0]; major >= 11; major--) versions.push([major, 0])
  // macOS 11 and later still run x86_64 binaries built for 10.x; arm64 starts at 11.
  if (arch === 'x64') for (let minor = macos[0] >= 11 ? 16 : macos[1]; minor >= 0; minor--) versions.push([10, minor])
  return versions.flatMap(([major, minor]) => formats.map((f) => `macosx_${major}_${minor}_${f}`))
}

/** The platform tags this machine accepts, best first (pip takes the wheel whose tag comes first); empty where we know none. */
export function platformTags(host: HostPlatform): string[] {
  if (host.platform === 'win32') return WINDOWS_TAG[host.arch] ? [WINDOWS_TAG[host.arch]!] : []
  if (host.platform === 'darwin') return host.macos && MAC_FORMATS[host.arch] ? macTags(host.arch, host.macos) : []
  if (host.platform === 'linux') {
    const machine = LINUX_MACHINE[host.arch]
    return machine && host.libc ? linuxTags(machine, host.libc) : []
  }
  return []
}

/**
 * The wheel of `name` at `version` pip would pick on this machine among `filenames`, for a
 * wheel that needs no interpreter of a given version (`py3-none-<platform>`): the one whose
 * best platform tag comes first. Undefined when none fits.
 */
export function pickWheel(filenames: Iterable<string>, name: string, version: string, host: HostPlatform): string | undefined {
  const accepted = platformTags(host)
  const rank = new Map(accepted.map((t, i) => [t, i]))
  let best: { filename: string; rank: number } | undefined
  for (const filename of filenames) {
    const tags = wheelTags(filename)
    if (!tags || normalizeName(tags.name) !== normalizeName(name) || !sameVersion(tags.version, version)) continue
    if (!tags.pythons.includes('py3') || !tags.abis.includes('none')) continue
    const ranks = tags.platforms.map((p) => rank.get(p)).filter((r): r is number => r !== undefined)
    if (!ranks.length) continue
    const r = Math.min(...ranks)
    // Ties (the same tag twice) go to the name that sorts first, so the pick never depends on the listing's order.
    if (!best || r < best.rank || (r === best.rank && filename < best.filename)) best = { filename, rank: r }
  }
  return best?.filename
}
