/**
 * The environment a child process starts with, built from an allow-list. The step's own
 * environment carries the action's inputs (INPUT_*, secrets included), the runner's tokens
 * (ACTIONS_*, GITHUB_TOKEN) and its file-command paths; the tools and the code under test
 * (tests, setup.py, plugins) are untrusted and get none of them. They get what a program
 * needs to run on the platform (PATH, home, temp, locale, proxies, CA bundles, the
 * interpreter's variables) and, for installers and builds only, the user's installer
 * configuration. Anything a single process needs beyond that is added by its caller.
 */
import { invalidInput } from './inputs.js'
import type { Platform } from './paths.js'

/**
 * `run`: tools and the code under test (pytest, linters, imports, smoke tests).
 * `install`: installers and builds (uv, pip, poetry, `python -m build`), which read the
 * user's index configuration and compiler settings.
 */
export type EnvPurpose = 'run' | 'install'

type Env = Readonly<Record<string, string | undefined>>

const COMMON = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'PIP_CERT',
  'UV_NATIVE_TLS',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'pythonLocation',
  'Python_ROOT_DIR',
  'Python2_ROOT_DIR',
  'Python3_ROOT_DIR',
  'PKG_CONFIG_PATH',
  // Markers tools use to behave as in CI; none of them is a secret.
  'CI',
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
  'RUNNER_OS',
  'RUNNER_ARCH',
  'RUNNER_TEMP',
  'RUNNER_TOOL_CACHE'
]
const COMMON_PREFIXES = ['LC_', 'XDG_', 'PYTHON']

const BY_PLATFORM: Partial<Record<Platform, string[]>> & { default: string[] } = {
  win32: [
    'SYSTEMROOT',
    'SYSTEMDRIVE',
    'WINDIR',
    'COMSPEC',
    'PATHEXT',
    'OS',
    'USERPROFILE',
    'APPDATA',
    'LOCALAPPDATA',
    'HOMEDRIVE',
    'HOMEPATH',
    'USERNAME',
    'USERDOMAIN',
    'COMPUTERNAME',
    'PROGRAMDATA',
    'PROGRAMFILES',
    'PROGRAMFILES(X86)',
    'PROGRAMW6432',
    'COMMONPROGRAMFILES',
    'COMMONPROGRAMFILES(X86)',
    'NUMBER_OF_PROCESSORS',
    'PROCESSOR_ARCHITECTURE',
    'PROCESSOR_IDENTIFIER'
  ],
  darwin: ['DYLD_LIBRARY_PATH', 'DYLD_FALLBACK_LIBRARY_PATH'],
  default: ['LD_LIBRARY_PATH']
}

/** Installer configuration (indexes, credentials for private indexes) and compiler settings. */
const INSTALL = [
  'NETRC',
  'CC',
  'CXX',
  'CFLAGS',
  'CXXFLAGS',
  'CPPFLAGS',
  'LDFLAGS',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'MACOSX_DEPLOYMENT_TARGET',
  'ARCHFLAGS',
  'SOURCE_DATE_EPOCH'
]
const INSTALL_PREFIXES = ['PIP_', 'UV_', 'POETRY_', 'SETUPTOOLS_SCM_']
/** Inside the installer prefixes, what uploads with: no install needs a publish token. */
const INSTALL_DENIED_PREFIXES = ['UV_PUBLISH_', 'POETRY_PYPI_TOKEN_']

/**
 * Never passed, whatever the lists above or a caller's `pass` say: the action's inputs and
 * state, the runner's service tokens and URLs, the job token and the file commands.
 */
const DENIED = ['GITHUB_TOKEN', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']
const DENIED_PREFIXES = ['INPUT_', 'STATE_', 'ACTIONS_']

/** Windows environment names are case-insensitive; elsewhere they are compared as they are. */
function fold(name: string, platform: Platform): string {
  return platform === 'win32' ? name.toUpperCase() : name
}

export function isDeniedEnvName(name: string, platform: Platform = process.platform): boolean {
  const n = fold(name, platform)
  return DENIED.some((d) => fold(d, platform) === n) || DENIED_PREFIXES.some((p) => n.startsWith(fold(p, platform)))
}

function allowed(name: string, purpose: EnvPurpose, platform: Platform, extra: readonly string[]): boolean {
  if (isDeniedEnvName(name, platform)) return false
  const n = fold(name, platform)
  const extraNames = extra.filter((e) => !e.endsWith('*'))
  const extraPrefixes = extra.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1))
  const names = [...COMMON, ...(BY_PLATFORM[platform] ?? BY_PLATFORM.default), ...extraNames, ...(purpose === 'install' ? INSTALL : [])]
  if (names.some((a) => fold(a, platform) === n)) return true
  if ([...COMMON_PREFIXES, ...extraPrefixes].some((p) => n.startsWith(fold(p, platform)))) return true
  if (purpose !== 'install') return false
  if (INSTALL_DENIED_PREFIXES.some((p) => n.startsWith(fold(p, platform)))) return false
  return INSTALL_PREFIXES.some((p) => n.startsWith(fold(p, platform)))
}

export interface ChildEnvOptions {
  purpose?: EnvPurpose
  platform?: Platform
  /** More names to pass through as they are (`NAME`, or `PREFIX*`); never a denied one. */
  pass?: readonly string[]
}

/**
 * Only the variables of `source` that `names` allow (`NAME` or `PREFIX*`, never a denied
 * one): a tool's own settings, added on top of a base environment.
 */
export function pickEnv(source: Env, names: readonly string[], platform: Platform = process.platform): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || isDeniedEnvName(name, platform)) continue
    const n = fold(name, platform)
    if (names.some((p) => (p.endsWith('*') ? n.startsWith(fold(p.slice(0, -1), platform)) : n === fold(p, platform)))) env[name] = value
  }
  return env
}

/** The allow-listed part of `source`, keys spelled as in the source. */
export function childEnv(source: Env, options: ChildEnvOptions = {}): Record<string, string> {
  const platform = options.platform ?? process.platform
  const purpose = options.purpose ?? 'run'
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && allowed(name, purpose, platform, options.pass ?? [])) env[name] = value
  }
  return env
}

const PASS_ENTRY = /^[A-Za-z_][A-Za-z0-9_.-]*\*?$/

/**
 * The `pass-env` input: names of the step's variables the tools and tests need (a test
 * database's URL, DJANGO_SETTINGS_MODULE), comma or newline separated, `PREFIX*` for a
 * family. Everything else of the step's environment stays out.
 */
export function parsePassEnv(name: string, raw: string): string[] {
  const entries = raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
  for (const entry of entries) {
    if (!PASS_ENTRY.test(entry)) {
      throw invalidInput(
        name,
        raw,
        `${JSON.stringify(entry)} is not a variable name; expected names such as DATABASE_URL or a prefix such as MYAPP_*`
      )
    }
    const base = entry.replace(/\*$/, '')
    const denied = isDeniedEnvName(base, 'win32') || DENIED_PREFIXES.some((p) => p.startsWith(base.toUpperCase()))
    if (denied) {
      throw invalidInput(
        name,
        raw,
        `${entry} would pass the action's inputs (INPUT_*), its state (STATE_*), the runner's ACTIONS_* tokens, GITHUB_TOKEN or the runner's file commands, which never reach tools or tests; pass the value under a name of your own`
      )
    }
  }
  return entries
}
