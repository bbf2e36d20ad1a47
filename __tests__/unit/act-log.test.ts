/**
 * The act runs' job statuses, read from act's log (lines shaped as act 0.2.87 prints them):
 * a matrix shard whose steps all passed is `succeeded` even when act's closing line, which
 * carries the whole matrix's result, says failed.
 */
import { describe, expect, test } from '@jest/globals'
import { jobStatuses } from '../e2e/act.js'

const LOG = [
  '[ci/quality 1/2-1] ⭐ Run Set up job',
  '[ci/quality 2/2-2] ⭐ Run Set up job',
  '[ci/quality 2/2-2]   ❌  Failure - Main dk-actions/dk-actions/run-quality@0f1e [59.2s]',
  '[ci/quality 2/2-2]   ⚙  Summary - ## ❌ Code quality: failed',
  '[ci/quality 2/2-2] 🏁  Job failed',
  '[ci/quality 1/2-1]   ✅  Success - Main dk-actions/dk-actions/run-quality@0f1e [53.5s]',
  '[ci/quality 1/2-1]   ✅  Success - Complete job',
  '[ci/quality 1/2-1] 🏁  Job failed',
  '[ci/tests   ] ⭐ Run Set up job',
  '[ci/tests   ]   ✅  Success - Complete job',
  '[ci/tests   ] 🏁  Job succeeded',
  '[ci/build   ] ⭐ Run Set up job',
  '[ci/build   ]   ✅  Success - Main dk-actions/dk-actions/build-packages@0f1e [3.1s]'
].join('\n')

describe('jobStatuses (act log lines)', () => {
  test("each job's own result: a shard that passed, one that failed, a plain job, one that never ended", () => {
    expect(jobStatuses(LOG)).toEqual({
      'quality 1/2-1': 'succeeded',
      'quality 2/2-2': 'failed',
      tests: 'succeeded',
      build: 'unfinished'
    })
  })
})
