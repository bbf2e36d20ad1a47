import { normalizeName, requirementName } from '../../packages-shared/names.js'

describe('normalizeName (PEP 503)', () => {
  test.each([
    ['Alpha_Lib', 'alpha-lib'],
    ['Dataknobs_Common', 'dataknobs-common'],
    ['dataknobs.common', 'dataknobs-common'],
    ['Friendly-Bard', 'friendly-bard'],
    ['FRIENDLY-BARD', 'friendly-bard'],
    ['friendly.bard', 'friendly-bard'],
    ['friendly_bard', 'friendly-bard'],
    ['friendly--bard', 'friendly-bard'],
    ['FrIeNdLy-._.-bArD', 'friendly-bard'],
    ['  spaced  ', 'spaced']
  ])('%j → %j', (raw, expected) => {
    expect(normalizeName(raw)).toBe(expected)
  })
})

describe('requirementName', () => {
  test.each([
    ['requests', 'requests'],
    ['requests>=2.0', 'requests'],
    ['alpha_lib == 0.1.0', 'alpha_lib'],
    ['bandit[toml]>=1.7', 'bandit'],
    ['pywin32; sys_platform == "win32"', 'pywin32'],
    ['  padded-name ~= 1.0', 'padded-name'],
    ['a', 'a'],
    ['zope.interface', 'zope.interface'],
    ['name @ file:///tmp/x', 'name']
  ])('%j → %j', (req, expected) => {
    expect(requirementName(req)).toBe(expected)
  })

  test.each(['', '>=1.0', '-e .', '  '])('%j has no name', (req) => {
    expect(requirementName(req)).toBeUndefined()
  })
})
