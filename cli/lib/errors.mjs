// What a command can end with, and the exit code each one means: 0 ok, 1 failure (an invalid file,
// a failed run, an API error), 2 usage or connection trouble (bad arguments, missing settings, a
// refused API key, a server that does not answer).

/** The command ran and the answer is "no": exit 1. Its message is already printed when `quiet`. */
export class Failure extends Error {
  constructor(message, { quiet = false } = {}) {
    super(message);
    this.quiet = quiet;
    this.exitCode = 1;
  }
}

/** The command could not run as asked: exit 2. */
export class UsageError extends Error {
  constructor(message, { hint } = {}) {
    super(message);
    this.hint = hint;
    this.exitCode = 2;
  }
}

/** The server could not be reached or refused the credentials: exit 2. */
export class ConnectionError extends UsageError {}
