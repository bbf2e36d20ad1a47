import { auditWorkflow, unpinnedReason, untrustedReferences } from '../../packages-shared/tools/workflow-audit.js'

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683'

describe('workflow audit', () => {
  test('pinning: tags and branches are flagged; SHAs, local paths and docker digests are not', () => {
    expect(unpinnedReason('actions/checkout@v4')).toContain("'v4'")
    expect(unpinnedReason(`actions/checkout@${SHA}`)).toBeUndefined()
    expect(unpinnedReason('./.github/actions/setup')).toBeUndefined()
    expect(unpinnedReason(`docker://alpine@sha256:${'a'.repeat(64)}`)).toBeUndefined()
    expect(unpinnedReason('docker://alpine:3.20')).toContain('digest')
    expect(unpinnedReason('org/repo/path')).toContain('no ref')
  })

  test('untrusted references, including index syntax and inputs', () => {
    expect(untrustedReferences(' github.event.pull_request.title ')).toEqual(['github.event.pull_request.title'])
    expect(untrustedReferences(" github.event['issue'].body ")).toHaveLength(1)
    expect(untrustedReferences(' github.event.commits[0].message ')).toHaveLength(1)
    expect(untrustedReferences(' github.head_ref || inputs.name ')).toEqual(['github.head_ref', 'inputs.name'])
    expect(untrustedReferences(' github.sha ')).toEqual([])
    expect(untrustedReferences(' github.event.pull_request.number ')).toEqual([])
  })

  test('block scalars: the exact line and column of the reference; permissions and pull_request_target', () => {
    const src = [
      'on:', //                                                         1
      '  pull_request_target:', //                                      2
      'jobs:', //                                                       3
      '  build:', //                                                    4
      '    runs-on: ubuntu-latest', //                                  5
      '    steps:', //                                                  6
      `      - uses: actions/checkout@${SHA}`, //                       7
      '        with:', //                                               8
      '          ref: ${{ github.event.pull_request.head.sha }}', //    9
      '      - run: |', //                                             10
      '          echo start', //                                       11
      '          echo "${{ github.event.issue.body }}"', //            12
      '  call:', //                                                    13
      '    uses: org/repo/.github/workflows/x.yml@main', //           14
      ''
    ].join('\n')
    const f = auditWorkflow(src, 'w.yml', 'workflow')
    const at = (rule: string): [number | undefined, number | undefined][] => f.filter((x) => x.rule === rule).map((x) => [x.line, x.column])
    expect(at('pull-request-target-checkout')).toEqual([[9, 16]])
    expect(at('script-injection')).toEqual([[12, 21]])
    expect(at('unpinned-uses')).toEqual([[14, 11]])
    expect(at('missing-permissions')).toEqual([[1, 1]])
  })

  test('action manifests: composite run steps with inputs; no permissions check', () => {
    const src = 'runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.version }}\n      shell: bash\n'
    const f = auditWorkflow(src, 'action.yml', 'action')
    expect(f.map((x) => [x.rule, x.line, x.column])).toEqual([['script-injection', 4, 21]])
  })

  test('top-level permissions or permissions on every job: no permissions finding', () => {
    expect(auditWorkflow('on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps: []\n', 'w.yml', 'workflow')).toEqual([])
    expect(auditWorkflow('on: push\njobs:\n  a:\n    permissions:\n      contents: read\n    runs-on: x\n', 'w.yml', 'workflow')).toEqual(
      []
    )
  })
})
