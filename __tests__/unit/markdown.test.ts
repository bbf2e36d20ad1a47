import { codeBlock, details, escapeCell, escapeHtml, formatBytes, formatDuration, table } from '../../packages-shared/report/markdown.js'

describe('escapeCell', () => {
  test.each([
    ['plain', 'plain'],
    ['a|b', 'a\\|b'],
    ['back\\slash', 'back\\\\slash'],
    ['line1\nline2', 'line1<br>line2'],
    ['crlf\r\nline', 'crlf<br>line']
  ])('%j → %j', (raw, expected) => {
    expect(escapeCell(raw)).toBe(expected)
  })
})

describe('table', () => {
  test('renders a header, separator and rows with escaped cells', () => {
    expect(
      table(
        ['a', 'b'],
        [
          ['1', 'x|y'],
          ['2', 'z']
        ]
      )
    ).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |\n| 2 | z |\n')
  })
})

describe('escapeHtml and details', () => {
  test('escapes &, < and >', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d')
  })

  test('details escapes its summary but not its body', () => {
    expect(details('<x>', '**body**')).toBe('<details><summary>&lt;x&gt;</summary>\n\n**body**\n\n</details>\n')
  })
})

describe('codeBlock', () => {
  test('uses a fence of three backticks for plain text', () => {
    expect(codeBlock('print(1)\n', 'python')).toBe('```python\nprint(1)\n```\n')
  })

  test('uses a longer fence than any backtick run inside', () => {
    expect(codeBlock('a ```` b')).toBe('`````\na ```` b\n`````\n')
    expect(codeBlock('one `tick`')).toBe('```\none `tick`\n```\n')
  })
})

describe('formatDuration', () => {
  test.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [59_949, '59.9 s'],
    [60_000, '1 m 0 s'],
    [125_400, '2 m 5 s'],
    [119_600, '2 m 0 s'],
    [3_599_700, '60 m 0 s']
  ])('%d → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })
})

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024, '1.0 MiB'],
    [5 * 1024 * 1024 + 512 * 1024, '5.5 MiB']
  ])('%d → %s', (n, expected) => {
    expect(formatBytes(n)).toBe(expected)
  })
})
