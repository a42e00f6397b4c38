/** The card action verbs (one handler each) and the guard for what a card action sends back. */

export const Verbs = {
  confirmClear: 'clear.confirm',
  cancelClear: 'clear.cancel',
  refreshRequest: 'request.refresh',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];

const VERB_SET: ReadonlySet<string> = new Set<string>(Object.values(Verbs));

/** True when `x` is one of the verbs in {@link Verbs}. */
export function isVerb(x: unknown): x is Verb {
  return typeof x === 'string' && VERB_SET.has(x);
}

/** The data every card action carries: only the opaque id; the request itself stays on the server. */
export interface RequestActionData {
  requestId: string;
}

/** A parsed card action. */
export interface ParsedAction {
  verb: Verb;
  requestId: string;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{16,128}$/;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads an own property only, so a payload can never reach Object.prototype. */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** True for a request id a card action may carry: 16–128 characters of [A-Za-z0-9_-]. */
export function isRequestId(x: unknown): x is string {
  return typeof x === 'string' && REQUEST_ID.test(x);
}

/**
 * Accepts the Action.Execute invoke value `{ action: { type: 'Action.Execute', verb, data: { requestId } } }`
 * or the Action.Submit fallback `activity.value` `{ verb, requestId }`; anything else → null.
 * Extra keys are ignored (Teams may merge input values or `msteams` into the data).
 */
export function parseActionData(value: unknown): ParsedAction | null {
  if (!isRecord(value)) return null;

  const action = own(value, 'action');
  if (action !== undefined) {
    // An invoke value: do not fall back to the Submit shape if it is malformed.
    if (!isRecord(action) || own(action, 'type') !== 'Action.Execute') return null;
    const verb = own(action, 'verb');
    const data = own(action, 'data');
    if (!isVerb(verb) || !isRecord(data)) return null;
    const requestId = own(data, 'requestId');
    return isRequestId(requestId) ? { verb, requestId } : null;
  }

  const verb = own(value, 'verb');
  const requestId = own(value, 'requestId');
  return isVerb(verb) && isRequestId(requestId) ? { verb, requestId } : null;
}
