import { coverageCombineSteps, coverageStepVerdict } from '../../packages-shared/tools/coverage.js'
import { exitMeaning, exitText } from '../../packages-shared/tools/pytest.js'

describe('pytest exit codes', () => {
  test('each code that is not a result says what happened', () => {
    expect(exitText(exitMeaning(2), 2)).toBe('pytest was interrupted (exit 2: a collection error or KeyboardInterrupt)')
    expect(exitText(exitMeaning(3), 3)).toBe('pytest hit an internal error (exit 3)')
    expect(exitText(exitMeaning(4), 4)).toBe('pytest was called wrongly (exit 4: check pytest-args and markers)')
    expect(exitText(exitMeaning(1), 1)).toBe('pytest reported failures but wrote no junit file (exit 1)')
  })
  test('a crash gives the timeout when there was one, else the code and the spawn error', () => {
    expect(exitText(exitMeaning(-9), -9, { timeout: 'pytest (suite unit) timed out after 60 s' })).toBe(
      'pytest (suite unit) timed out after 60 s'
    )
    expect(exitText(exitMeaning(137), 137)).toBe('pytest exited with code 137')
    expect(exitText('crashed', -1, { spawnError: 'spawn pytest ENOENT' })).toBe('pytest exited with code -1 (spawn pytest ENOENT)')
  })
  test('a pass or an empty run has only the code to say', () => {
    expect(exitText('ok', 0)).toBe('pytest exited with code 0')
    expect(exitText('no-tests', 5)).toBe('pytest exited with code 5')
  })
})

describe('the combined coverage report', () => {
  test('combine keeps the suites data, then XML and JSON ignore vanished sources', () => {
    const steps = coverageCombineSteps('/v/bin/coverage', {
      dataFiles: ['/o/.coverage.a', '/o/.coverage.b'],
      dataFile: '/o/.coverage',
      xml: '/o/coverage.xml',
      json: '/o/coverage.json'
    })
    expect(steps).toEqual([
      {
        argv: ['/v/bin/coverage', 'combine', '--keep', '--data-file=/o/.coverage', '/o/.coverage.a', '/o/.coverage.b'],
        writes: '/o/.coverage'
      },
      { argv: ['/v/bin/coverage', 'xml', '-i', '--data-file=/o/.coverage', '-o', '/o/coverage.xml'], writes: '/o/coverage.xml' },
      { argv: ['/v/bin/coverage', 'json', '-i', '--data-file=/o/.coverage', '-o', '/o/coverage.json'], writes: '/o/coverage.json' }
    ])
  })
  test('exit codes and output, as coverage 7.17.5 gives them', () => {
    // `coverage xml` over a data file that measured nothing (captured): no figure, no error.
    expect(coverageStepVerdict(1, 'No data to report.\n', false)).toBe('no-data')
    // `coverage combine` of a file that is not coverage data (captured): an error.
    expect(coverageStepVerdict(1, 'No usable data files\n', false)).toBe('failed')
    // The project's fail_under (exit 2) is not our gate once the report is written.
    expect(coverageStepVerdict(2, 'Coverage failure: total of 40 is less than fail-under=90\n', true)).toBe('ok')
    expect(coverageStepVerdict(2, '', false)).toBe('failed')
    expect(coverageStepVerdict(0, 'Wrote XML report to coverage.xml\n', true)).toBe('ok')
  })
})
