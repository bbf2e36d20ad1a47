/**
 * Where dists go: the upload URL the uploader posts to, the simple index we read to
 * know what is already there, and the base of the trusted-publishing endpoints.
 */
import { invalidInput } from '../../packages-shared/inputs.js'

export interface Repository {
  /** A short label for logs and the summary. */
  label: string
  uploadUrl: string
  /** The simple index (PEP 503/691), ending with '/'. */
  indexUrl: string
  /** Where `/_/oidc/audience` and `/_/oidc/mint-token` live. */
  oidcBase: string
}

export const PYPI: Repository = {
  label: 'PyPI',
  uploadUrl: 'https://upload.pypi.org/legacy/',
  indexUrl: 'https://pypi.org/simple/',
  oidcBase: 'https://pypi.org'
}

export const TESTPYPI: Repository = {
  label: 'TestPyPI',
  uploadUrl: 'https://test.pypi.org/legacy/',
  indexUrl: 'https://test.pypi.org/simple/',
  oidcBase: 'https://test.pypi.org'
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`
}

function httpUrl(name: string, raw: string): URL {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw invalidInput(name, raw, 'expected pypi, testpypi, or an http(s) URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput(name, raw, 'expected an http(s) URL')
  if (url.username || url.password) {
    throw invalidInput(name, '<redacted>', "credentials do not belong in the URL; use the 'username' and 'password' (or 'token') inputs")
  }
  return url
}

/**
 * Resolves `repository-url` (and `index-url`). A custom upload URL ending in `/legacy/`
 * has its index at the sibling `/simple/` (Warehouse's layout); any other URL (the root
 * pypiserver answers uploads on) has it at `<url>simple/`. `index-url` overrides both.
 */
export function resolveRepository(rawUrl: string, rawIndex: string): Repository {
  const value = rawUrl.trim()
  let repo: Repository
  const lower = value.toLowerCase()
  if (value === '' || lower === 'pypi' || withSlash(lower) === PYPI.uploadUrl) repo = { ...PYPI }
  else if (lower === 'testpypi' || withSlash(lower) === TESTPYPI.uploadUrl) repo = { ...TESTPYPI }
  else {
    const upload = httpUrl('repository-url', value)
    const uploadUrl = withSlash(upload.href)
    const indexUrl = /\/legacy\/$/.test(uploadUrl) ? uploadUrl.replace(/\/legacy\/$/, '/simple/') : `${uploadUrl}simple/`
    repo = { label: upload.host, uploadUrl, indexUrl, oidcBase: new URL(indexUrl).origin }
  }
  if (rawIndex.trim()) {
    const index = httpUrl('index-url', rawIndex)
    repo.indexUrl = withSlash(index.href)
    if (repo.label !== PYPI.label && repo.label !== TESTPYPI.label) repo.oidcBase = index.origin
  }
  return repo
}
