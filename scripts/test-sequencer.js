// The order jest starts the test files in, across its workers: the act runs first (the
// longest files), then the integration tests, then the unit tests. Within a group, a file
// whose opening comment says `@slow` (it chains several actions on one checkout) comes
// first, then jest's own order (slowest first when it has timings from an earlier run, else
// the largest first). On a fresh clone jest has no timings, and by size alone the act
// files and the short but slow ones would start last and leave the other workers idle.
import * as fs from 'node:fs'
import Sequencer from '@jest/test-sequencer'

const RANK = ['e2e', 'integration', 'unit']

const group = (test) => {
  const i = RANK.findIndex((dir) => test.path.split(/[\\/]/).includes(dir))
  return i === -1 ? RANK.length : i
}

/** Whether the file's first block comment carries the `@slow` tag. */
const slow = (test) => {
  const head = fs.readFileSync(test.path, 'utf8').slice(0, 4000)
  const doc = /^\s*\/\*\*([\s\S]*?)\*\//.exec(head)
  return doc ? /(^|\s)@slow(\s|$)/.test(doc[1]) : false
}

export default class SlowFirst extends (Sequencer.default ?? Sequencer) {
  sort(tests) {
    const ordered = super.sort(tests)
    const key = ordered.map((test, i) => ({ test, i, group: group(test), slow: slow(test) ? 0 : 1 }))
    return key.sort((a, b) => a.group - b.group || a.slow - b.slow || a.i - b.i).map(({ test }) => test)
  }
}
