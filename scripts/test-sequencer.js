// The order jest starts the test files in, across its workers: the act runs first (the
// longest files), then the integration tests, then the unit tests, each group in jest's own
// order (slowest first when it has timings from an earlier run, else the largest first).
// On a fresh clone jest has no timings, and by size alone the act file would start last and
// leave the other workers idle while it runs.
import Sequencer from '@jest/test-sequencer'

const RANK = ['e2e', 'integration', 'unit']

const rank = (test) => {
  const i = RANK.findIndex((dir) => test.path.split(/[\\/]/).includes(dir))
  return i === -1 ? RANK.length : i
}

export default class SlowFirst extends (Sequencer.default ?? Sequencer) {
  sort(tests) {
    const ordered = super.sort(tests)
    return ordered.map((test, i) => ({ test, i })).sort((a, b) => rank(a.test) - rank(b.test) || a.i - b.i).map(({ test }) => test)
  }
}
