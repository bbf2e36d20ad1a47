/**
 * Reads a failed pip or uv install: was the release simply not on the index yet (keep
 * waiting), was the index unreachable (keep waiting, say so), or does it install but is
 * broken (a dependency conflict, a build failure: fail at once)? Patterns come from the
 * real tools' output, captured under __tests__/fixtures/captured/{pip,uv}/.
 */
export type InstallFailure = 'not-found' | 'unreachable' | 'broken'

const NOT_FOUND: RegExp[] = [
  // pip
  /No matching distribution found for/i,
  /Could not find a version that satisfies the requirement/i,
  // uv
  /there is no version of/i,
  /was not found in the package registry/i,
  /not found in the provided package locations/i,
  /Because only .+ (?:is|are) available/i
]

const UNREACHABLE: RegExp[] = [
  // uv
  /Request failed after \d+ retr/i,
  /Failed to fetch: /i,
  /tcp connect error|Connection refused|dns error|timed out/i,
  // pip
  /Could not fetch URL .*(?:connection|timed out|Max retries)/i,
  /NewConnectionError|ConnectTimeoutError|Max retries exceeded|Temporary failure in name resolution/i
]

export function classifyInstallFailure(output: string): InstallFailure {
  // A conflict among releases that exist is broken even when pip also says "could not find".
  if (/ResolutionImpossible|conflicting dependencies/i.test(output)) return 'broken'
  if (UNREACHABLE.some((re) => re.test(output))) return 'unreachable'
  if (NOT_FOUND.some((re) => re.test(output))) return 'not-found'
  return 'broken'
}
