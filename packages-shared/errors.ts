/**
 * The two kinds of failure an action can have. A UserError is the user's to fix: its
 * message says what was wrong and how to fix it, and no stack trace is shown. Anything
 * else is a bug of ours: the message is shown, the stack goes to the debug log.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  constructor(message: string) {
    super(message)
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/**
 * The working directory holds no Python package. A UserError like any other, typed so that
 * an action that can run without packages (run-security's workflow audit) recognises it.
 */
export class NoPythonPackagesError extends UserError {
  constructor(message: string) {
    super(message)
  }
}
