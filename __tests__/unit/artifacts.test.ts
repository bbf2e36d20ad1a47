import { artifactServiceAvailable, uploadFailureReason } from '../../packages-shared/artifacts.js'

describe('uploadFailureReason', () => {
  test('the error message when there is one', () => {
    expect(uploadFailureReason(new Error('Artifact storage quota has been hit'))).toBe('Artifact storage quota has been hit')
  })

  test('an error without a message (a blob client 401) names its kind and status instead of nothing', () => {
    const rest = Object.assign(new Error(''), { name: 'RestError', statusCode: 401 })
    expect(uploadFailureReason(rest)).toBe('RestError, HTTP 401, with no message from the artifact service')
    const coded = Object.assign(new Error('  '), { code: 'ECONNRESET' })
    expect(uploadFailureReason(coded)).toBe('ECONNRESET, with no message from the artifact service')
  })

  test('nothing to go by is still a sentence', () => {
    expect(uploadFailureReason(new Error(''))).toBe('the artifact service gave no reason')
    expect(uploadFailureReason(undefined)).toBe('undefined')
  })
})

describe('artifactServiceAvailable', () => {
  test('needs the runtime token and a service URL', () => {
    expect(artifactServiceAvailable({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' })).toBe(true)
    expect(artifactServiceAvailable({ ACTIONS_RUNTIME_TOKEN: 't' })).toBe(false)
    expect(artifactServiceAvailable({ ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' })).toBe(false)
  })
})
