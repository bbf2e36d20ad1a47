/**
 * Every tool the suite installs in isolated mode is an exact release (what `name==version`
 * installs), so two runs of one commit get the same tools: a range or a bare name here would
 * let a new release change the findings under the user.
 */
import { BUILD_TOOL, POETRY_TOOL } from '../../actions/build-packages/build.js'
import { QUALITY_TOOLS } from '../../actions/run-quality/main.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { BANDIT } from '../../packages-shared/tools/bandit.js'
import { PIP_AUDIT } from '../../packages-shared/tools/pip-audit.js'
import { PYTEST_BENCHMARK } from '../../packages-shared/tools/pytest-benchmark.js'
import { COVERAGE, PYTEST, PYTEST_COV, PYTEST_XDIST } from '../../packages-shared/tools/pytest.js'
import { SAFETY } from '../../packages-shared/tools/safety.js'
import { SEMGREP } from '../../packages-shared/tools/semgrep.js'
import { TWINE } from '../../packages-shared/tools/twine.js'

const requirements: ToolRequirement[] = [
  ...Object.values(QUALITY_TOOLS).map((t) => t.requirement),
  BANDIT,
  PIP_AUDIT,
  SAFETY,
  SEMGREP,
  TWINE,
  PYTEST,
  PYTEST_COV,
  PYTEST_XDIST,
  PYTEST_BENCHMARK,
  COVERAGE,
  BUILD_TOOL,
  POETRY_TOOL
]

// A final or pre-release PEP 440 version: no operator, no wildcard, no local label.
const EXACT = /^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?$/

describe('default tool pins', () => {
  test.each(requirements.map((r) => [r.requirement, r.version]))('%s is pinned to an exact version (%s)', (requirement, version) => {
    expect(version).toMatch(EXACT)
    expect(requirement).not.toMatch(/[<>=~!*]/)
  })
})
