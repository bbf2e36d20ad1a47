/**
 * requires-python against the interpreter: PEP 440 specifiers, Poetry's ^ and ~, and the one
 * line a package that needs another Python gets.
 */
import { assertRequiresPython, meetsRequiresPython, pythonSpecifiers } from '../../packages-shared/requires-python.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { userError } from './helpers/assertions.js'

const pkg = (name: string, requiresPython?: string): PythonPackage => ({ name, id: name, requiresPython }) as PythonPackage

describe('requires-python', () => {
  test.each([
    ['>=3.12', false],
    ['>=3.9,<4', true],
    ['~=3.11', true],
    ['==3.12.*', false],
    ['!=3.11.7', false],
    ['>=3.8, !=3.10.*', true],
    ['^3.12', false],
    ['^3.9', true],
    ['~3.11', true],
    ['~3.10', false],
    ['3.11.7', true],
    ['>=3.12 || >=3.10,<3.12', true],
    ['*', true]
  ])('3.11.7 against %s: %s', (spec, ok) => {
    expect(meetsRequiresPython('3.11.7', spec)).toBe(ok)
  })

  test("Poetry's operators become PEP 440 ranges", () => {
    expect(pythonSpecifiers('^3.12')).toEqual(['>=3.12,<4'])
    expect(pythonSpecifiers('~3.12.1')).toEqual(['>=3.12.1,<3.13'])
    expect(pythonSpecifiers('>=3.9,<4.0')).toEqual(['>=3.9,<4.0'])
  })

  test('a constraint that cannot be read is left to the installer', () => {
    expect(meetsRequiresPython('3.11.7', '>=three')).toBeUndefined()
    expect(() => assertRequiresPython({ command: 'python3', version: '3.11.7' }, [pkg('odd', '>=three')])).not.toThrow()
  })

  test('a package that needs a newer Python is one line naming both versions and the fix', () => {
    const { message } = userError(() =>
      assertRequiresPython({ command: 'python3', version: '3.11.7' }, [pkg('ok', '>=3.9'), pkg('core', '>=3.12'), pkg('api', '^3.13')])
    )
    expect(message).toBe(
      "Package core (and api) requires Python >=3.12 (requires-python), but the interpreter 'python3' is 3.11.7. " +
        "Set the 'python' input to a matching interpreter, or run actions/setup-python with python-version: '3.12' before this step."
    )
    expect(message).not.toContain('\n')
    expect(() => assertRequiresPython({ command: 'python3', version: '3.11.7' }, [pkg('ok', '>=3.9'), pkg('none')])).not.toThrow()
  })
})
