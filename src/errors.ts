/** Errors with stable codes, so callers branch on a code and never on message text. */

export type ErrorCode =
  | 'config.invalid'
  | 'directory.user_not_found'
  | 'directory.ambiguous'
  | 'directory.forbidden'
  | 'directory.throttled'
  | 'directory.unavailable'
  | 'directory.timeout'
  | 'directory.network'
  | 'directory.auth_failed'
  | 'directory.synced_user'
  | 'directory.federated'
  | 'directory.bad_request'
  | 'directory.unexpected';

/** Base class for errors the bot expects and explains to people. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
