import { insertSection, sectionOf } from '../../actions/release/changelog.js'

const SECTION = '## [1.1.0] - 2026-12-04\n### Fixed\n- a fix (abc1234)\n'

describe('changelog sections in the heading forms changelogs use', () => {
  test.each([
    ['Keep a Changelog', '# Changelog\n\n## [1.0.0] - 2026-01-01\n### Added\n- first\n'],
    [
      'release-please',
      '# Changelog\n\n## [1.0.0](https://github.com/o/r/compare/a-v0.9.0...a-v1.0.0) (2026-01-01)\n\n### Features\n\n* first\n'
    ],
    ['commitizen', '# Changelog\n\n## 1.0.0 (2026-01-01)\n\n- first\n'],
    ['a v prefix', '# Changelog\n\n## v1.0.0\n\n- first\n']
  ])('%s: the new section goes above the newest version, once', (_form, text) => {
    const out = insertSection(text, SECTION, '1.1.0')
    expect(out.indexOf('## [1.1.0]')).toBeGreaterThan(0)
    expect(out.indexOf('## [1.1.0]')).toBeLessThan(out.search(/^## \[?v?1\.0\.0/m))
    expect(insertSection(out, SECTION, '1.1.0')).toBe(out)
    expect(sectionOf(out, '1.0.0')).toContain('first')
    expect(sectionOf(out, '1.1.0')).toBe('### Fixed\n- a fix (abc1234)')
  })

  test('a version there in another heading form, or another spelling, is not written twice', () => {
    const text = '# Changelog\n\n## 0.1.0 (2026-01-01)\n\n- first\n'
    expect(insertSection(text, '## [0.1.0] - 2026-12-04\n- again\n', '0.1.0')).toBe(text)
    expect(insertSection(text, '## [0.1] - 2026-12-04\n- again\n', '0.1')).toBe(text)
  })

  test('below Unreleased and its notes; a second-level heading that is not a version is not a release', () => {
    const text = '# Changelog\n\n## Notes\n\nRead me.\n\n## [Unreleased]\n- pending\n\n## [1.0.0] - 2026-01-01\n- first\n'
    const out = insertSection(text, SECTION, '1.1.0')
    expect(out).toBe(
      '# Changelog\n\n## Notes\n\nRead me.\n\n## [Unreleased]\n- pending\n\n' + SECTION + '\n## [1.0.0] - 2026-01-01\n- first\n'
    )
    expect(sectionOf(out, '1.0.0')).toBe('- first')
  })

  test('a changelog without any release gets the section at its end', () => {
    expect(insertSection('# Changelog\n\nAll changes.\n', SECTION, '1.1.0')).toBe('# Changelog\n\nAll changes.\n\n' + SECTION)
  })
})
