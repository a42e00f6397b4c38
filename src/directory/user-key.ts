/**
 * How a user is addressed in the directory: by object id, or by an address (a UPN, or a
 * mail/proxy address: the directory tries the UPN first, then mail). Chat text becomes a
 * UserKey only through conversation/target.ts, which validates it first.
 */
export type UserKey =
  | { kind: 'objectId'; value: string }
  | { kind: 'address'; value: string };
