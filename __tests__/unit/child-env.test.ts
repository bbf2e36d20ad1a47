import { childEnv, isDeniedEnvName, parsePassEnv, pickEnv } from '../../packages-shared/child-env.js'
import { toolEnv } from '../../packages-shared/python/toolbox.js'
import { userError } from './helpers/assertions.js'

/** What a job's step environment holds under the root pipeline (names seen there). */
const STEP_ENV: Record<string, string> = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TMPDIR: '/tmp',
  HTTPS_PROXY: 'http://proxy:3128',
  https_proxy: 'http://proxy:3128',
  NO_PROXY: 'localhost',
  SSL_CERT_FILE: '/etc/ssl/cert.pem',
  REQUESTS_CA_BUNDLE: '/etc/ssl/cert.pem',
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_WORKSPACE: '/work',
  RUNNER_OS: 'Linux',
  RUNNER_TEMP: '/runner/_temp',
  PYTHONPATH: '/src',
  pythonLocation: '/opt/python/3.12',
  LD_LIBRARY_PATH: '/opt/python/3.12/lib',
  PIP_INDEX_URL: 'https://user:pw@pypi.example/simple',
  UV_INDEX_URL: 'https://pypi.example/simple',
  POETRY_HTTP_BASIC_PRIVATE_PASSWORD: 'index-password',
  UV_PUBLISH_TOKEN: 'publish-token-value',
  POETRY_PYPI_TOKEN_PYPI: 'poetry-token-value',
  'INPUT_PUBLISH-TOKEN': 'pypi-token-value',
  'INPUT_PUBLISH-PASSWORD': 'pypi-password-value',
  'INPUT_SECURITY-TOKEN': 'gh-token-value',
  'INPUT_SECURITY-SAFETY-API-KEY': 'safety-key-value',
  STATE_isPost: 'post-state-value',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-value',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/token',
  ACTIONS_CACHE_URL: 'https://cache.example/',
  ACTIONS_RESULTS_URL: 'https://results.example/',
  GITHUB_TOKEN: 'job-token-value',
  GITHUB_OUTPUT: '/runner/_temp/_runner_file_commands/set_output',
  GITHUB_ENV: '/runner/_temp/_runner_file_commands/set_env',
  GITHUB_STATE: '/runner/_temp/_runner_file_commands/save_state',
  GITHUB_PATH: '/runner/_temp/_runner_file_commands/add_path',
  GITHUB_STEP_SUMMARY: '/runner/_temp/_runner_file_commands/step_summary',
  MY_APP_SECRET: 'app-secret-value'
}

const NEVER = [
  'INPUT_PUBLISH-TOKEN',
  'INPUT_PUBLISH-PASSWORD',
  'INPUT_SECURITY-TOKEN',
  'INPUT_SECURITY-SAFETY-API-KEY',
  'STATE_isPost',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  'GITHUB_TOKEN',
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_STATE',
  'GITHUB_PATH',
  'GITHUB_STEP_SUMMARY'
]

describe('childEnv', () => {
  test.each(['run', 'install'] as const)('%s: never inputs, state, runner tokens, the job token or file commands', (purpose) => {
    const env = childEnv(STEP_ENV, { purpose, platform: 'linux' })
    for (const name of NEVER) expect(env[name]).toBeUndefined()
    const values = Object.values(env).join('\n')
    for (const name of NEVER) expect(values).not.toContain(STEP_ENV[name]!)
    // Unknown variables are not passed either: the list allows, it does not deny.
    expect(env.MY_APP_SECRET).toBeUndefined()
  })

  test('run: what a program needs on the platform, and nothing of the installers', () => {
    expect(childEnv(STEP_ENV, { platform: 'linux' })).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TMPDIR: '/tmp',
      HTTPS_PROXY: 'http://proxy:3128',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      SSL_CERT_FILE: '/etc/ssl/cert.pem',
      REQUESTS_CA_BUNDLE: '/etc/ssl/cert.pem',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: '/work',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: '/runner/_temp',
      PYTHONPATH: '/src',
      pythonLocation: '/opt/python/3.12',
      LD_LIBRARY_PATH: '/opt/python/3.12/lib'
    })
  })

  test("install: adds the user's pip, uv and poetry settings, but no publish token", () => {
    const env = childEnv(STEP_ENV, { purpose: 'install', platform: 'linux' })
    expect(env.PIP_INDEX_URL).toBe(STEP_ENV.PIP_INDEX_URL)
    expect(env.UV_INDEX_URL).toBe(STEP_ENV.UV_INDEX_URL)
    expect(env.POETRY_HTTP_BASIC_PRIVATE_PASSWORD).toBe('index-password')
    expect(env.UV_PUBLISH_TOKEN).toBeUndefined()
    expect(env.POETRY_PYPI_TOKEN_PYPI).toBeUndefined()
    expect(env.PATH).toBe('/usr/bin:/bin')
  })

  test('pass adds names, never a denied one', () => {
    const env = childEnv(STEP_ENV, { platform: 'linux', pass: ['MY_APP_SECRET', 'GITHUB_TOKEN', 'INPUT_PUBLISH-TOKEN'] })
    expect(env.MY_APP_SECRET).toBe('app-secret-value')
    expect(env.GITHUB_TOKEN).toBeUndefined()
    expect(env['INPUT_PUBLISH-TOKEN']).toBeUndefined()
  })

  test('win32: names match whatever their case, and keep the spelling they had', () => {
    const source = {
      Path: 'C:\\Windows;C:\\hostedtoolcache\\Python',
      PATHEXT: '.COM;.EXE;.BAT;.CMD',
      SystemRoot: 'C:\\Windows',
      ComSpec: 'C:\\Windows\\system32\\cmd.exe',
      windir: 'C:\\Windows',
      USERPROFILE: 'C:\\Users\\runner',
      APPDATA: 'C:\\Users\\runner\\AppData\\Roaming',
      LOCALAPPDATA: 'C:\\Users\\runner\\AppData\\Local',
      TEMP: 'C:\\Temp',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      Https_Proxy: 'http://proxy:3128',
      pythonLocation: 'C:\\hostedtoolcache\\Python\\3.12',
      'Input_Publish-Token': 'pypi-token-value',
      Github_Token: 'job-token-value',
      actions_runtime_token: 'runtime-token-value',
      github_output: 'C:\\runner\\set_output',
      LD_LIBRARY_PATH: '/not/on/windows'
    }
    expect(childEnv(source, { platform: 'win32' })).toEqual({
      Path: source.Path,
      PATHEXT: source.PATHEXT,
      SystemRoot: source.SystemRoot,
      ComSpec: source.ComSpec,
      windir: source.windir,
      USERPROFILE: source.USERPROFILE,
      APPDATA: source.APPDATA,
      LOCALAPPDATA: source.LOCALAPPDATA,
      TEMP: source.TEMP,
      'ProgramFiles(x86)': source['ProgramFiles(x86)'],
      Https_Proxy: source.Https_Proxy,
      pythonLocation: source.pythonLocation
    })
  })

  test('linux and darwin compare names as they are, and differ in the loader variables', () => {
    const source = {
      PATH: '/bin',
      Path: '/other',
      SystemRoot: 'C:\\Windows',
      LD_LIBRARY_PATH: '/l',
      DYLD_LIBRARY_PATH: '/d',
      github_token: 'x',
      input_token: 'y'
    }
    expect(childEnv(source, { platform: 'linux' })).toEqual({ PATH: '/bin', LD_LIBRARY_PATH: '/l' })
    expect(childEnv(source, { platform: 'darwin' })).toEqual({ PATH: '/bin', DYLD_LIBRARY_PATH: '/d' })
  })

  test.each([
    ['INPUT_X', 'linux', true],
    ['input_x', 'linux', false],
    ['input_x', 'win32', true],
    ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'darwin', true],
    ['GITHUB_STEP_SUMMARY', 'linux', true],
    ['GITHUB_REPOSITORY', 'linux', false]
  ] as const)('isDeniedEnvName(%s) on %s is %s', (name, platform, denied) => {
    expect(isDeniedEnvName(name, platform)).toBe(denied)
  })
})

describe('toolEnv builds on the allow-list', () => {
  test.each(['run', 'install'] as const)('%s: our settings on top, no secret underneath', (purpose) => {
    const env = toolEnv(STEP_ENV, '/cache', '/venv/bin', 'linux', purpose)
    for (const name of NEVER) expect(env[name]).toBeUndefined()
    expect(env.PATH).toBe('/venv/bin:/usr/bin:/bin')
    expect(env.VIRTUAL_ENV).toBe('/venv')
    expect(env.NO_COLOR).toBe('1')
    expect(env.PIP_INDEX_URL).toBe(purpose === 'install' ? STEP_ENV.PIP_INDEX_URL : undefined)
  })

  test('win32 keeps the one Path key the source had', () => {
    const env = toolEnv({ Path: 'C:\\Windows', 'INPUT_PUBLISH-TOKEN': 'x' }, 'C:\\cache', 'C:\\venv\\Scripts', 'win32')
    expect(env.Path).toBe('C:\\venv\\Scripts;C:\\Windows')
    expect(env.PATH).toBeUndefined()
    expect(env['INPUT_PUBLISH-TOKEN']).toBeUndefined()
  })
})

describe('parsePassEnv (the pass-env input)', () => {
  test('names and prefixes, comma or newline separated', () => {
    expect(parsePassEnv('pass-env', 'DATABASE_URL, MYAPP_*\nDJANGO_SETTINGS_MODULE')).toEqual([
      'DATABASE_URL',
      'MYAPP_*',
      'DJANGO_SETTINGS_MODULE'
    ])
    expect(parsePassEnv('pass-env', '')).toEqual([])
  })

  test('a prefix passes the family, and only it', () => {
    const env = childEnv({ MYAPP_DB: 'db', MYAPP_KEY: 'k', OTHER: 'o' }, { platform: 'linux', pass: parsePassEnv('pass-env', 'MYAPP_*') })
    expect(env).toEqual({ MYAPP_DB: 'db', MYAPP_KEY: 'k' })
  })

  test.each([
    'GITHUB_TOKEN',
    'INPUT_PUBLISH-TOKEN',
    'input_x',
    'INPUT_*',
    'IN*',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_*',
    'STATE_*',
    'GITHUB_OUTPUT'
  ])('%s is refused in one line that says why', (entry) => {
    const e = userError(() => parsePassEnv('pass-env', entry))
    expect(e.message).toContain("Input 'pass-env'")
    expect(e.message).toContain('never reach tools or tests')
  })

  test.each(['$HOME', 'A B', 'X=1', '*_TOKEN', '*'])('%j is not a name', (entry) => {
    expect(userError(() => parsePassEnv('pass-env', entry)).message).toContain('is not a variable name')
  })
})

describe('pickEnv', () => {
  test("only the named variables: a tool's own settings on top of a base", () => {
    const source = {
      PATH: '/bin',
      TRIVY_USERNAME: 'u',
      TRIVY_PASSWORD: 'p',
      DOCKER_CONFIG: '/d',
      GITHUB_TOKEN: 't',
      'INPUT_TRIVY-IMAGE': 'i'
    }
    expect(pickEnv(source, ['TRIVY_*', 'DOCKER_CONFIG', 'GITHUB_TOKEN', 'INPUT_*'], 'linux')).toEqual({
      TRIVY_USERNAME: 'u',
      TRIVY_PASSWORD: 'p',
      DOCKER_CONFIG: '/d'
    })
    expect(pickEnv({ trivy_username: 'u' }, ['TRIVY_*'], 'linux')).toEqual({})
    expect(pickEnv({ trivy_username: 'u' }, ['TRIVY_*'], 'win32')).toEqual({ trivy_username: 'u' })
  })
})
