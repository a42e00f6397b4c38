/** The card action verbs (one handler each) and the guard for what a card action sends back. */

export const Verbs = {
  /** Approve a pending request of any kind (the approval that completes the set runs it). */
  approve: 'request.approve',
  reject: 'request.reject',
  cancel: 'request.cancel',
  /** Undo a completed change: opens a new request that restores the previous values. */
  undo: 'request.undo',
  refreshRequest: 'request.refresh',
  addReason: 'request.reason',
  /** "Clear when unsynced" on a synced user's card; its requestId is the user's object id (re-read on the tap). */
  whenUnsynced: 'request.when-unsynced',
  /** "Restore UPN" on the outcome of a move-UPN-and-clear: opens a request that moves the UPN back. */
  restoreUpn: 'request.restore-upn',
  /** "Request clear" on a sync-error notification; its requestId is the notification id. */
  requestFromNotification: 'notify.request',
  /** Bulk jobs: the requestId they carry is the job id. */
  bulkApprove: 'bulk.approve',
  bulkReject: 'bulk.reject',
  bulkCancel: 'bulk.cancel',
  bulkStop: 'bulk.stop',
  bulkResume: 'bulk.resume',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];

/** Verbs of cards posted by earlier versions, still in Teams chats: accepted as the verb they stand for. */
export const LEGACY_VERBS: Readonly<Record<string, Verb>> = {
  'clear.confirm': Verbs.approve,
  'clear.reject': Verbs.reject,
  'clear.cancel': Verbs.cancel,
};

const VERB_SET: ReadonlySet<string> = new Set<string>(Object.values(Verbs));

/** True when `x` is one of the verbs in {@link Verbs}. */
export function isVerb(x: unknown): x is Verb {
  return typeof x === 'string' && VERB_SET.has(x);
}

/** The current verb for `x` (a legacy alias maps to its replacement); undefined when it is not a verb. */
export function toVerb(x: unknown): Verb | undefined {
  if (isVerb(x)) return x;
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(LEGACY_VERBS, x) ? LEGACY_VERBS[x] : undefined;
}

/** The data every card action carries: only the opaque id; the request itself stays on the server. */
export interface RequestActionData {
  requestId: string;
}

/** The ids of the Input.* fields the cards have; Teams sends their values with the action. */
export const InputIds = {
  rejectReason: 'rejectReason',
  reason: 'reason',
} as const;

/** Longest input value kept, in code points (the inputs also carry maxLength 500). */
export const MAX_INPUT_LENGTH = 500;

/** Text the user typed into the card's inputs: trimmed, capped, absent when empty. Untrusted: escape before showing. */
export interface ActionInputs {
  rejectReason?: string;
  reason?: string;
}

/** A parsed card action. */
export interface ParsedAction {
  /** Always a current verb: legacy aliases are mapped. */
  verb: Verb;
  requestId: string;
  inputs: ActionInputs;
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

/** A typed input value: trimmed and cut to MAX_INPUT_LENGTH code points; undefined when not a non-blank string. */
function inputText(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const trimmed = x.trim();
  if (trimmed === '') return undefined;
  const codePoints = Array.from(trimmed);
  return codePoints.length <= MAX_INPUT_LENGTH ? trimmed : codePoints.slice(0, MAX_INPUT_LENGTH).join('').trimEnd();
}

/** Input values from the object Teams merged them into; only the known ids, so nothing else can be smuggled in. */
function readInputs(source: Record<string, unknown>): ActionInputs {
  const inputs: ActionInputs = {};
  const rejectReason = inputText(own(source, InputIds.rejectReason));
  const reason = inputText(own(source, InputIds.reason));
  if (rejectReason !== undefined) inputs.rejectReason = rejectReason;
  if (reason !== undefined) inputs.reason = reason;
  return inputs;
}

/**
 * Accepts the Action.Execute invoke value `{ action: { type: 'Action.Execute', verb, data: { requestId, …inputs } } }`
 * or the Action.Submit fallback `activity.value` `{ verb, requestId, …inputs }`; anything else → null.
 * Teams merges Input.* values into `action.data` (Execute) or `activity.value` (Submit); they are
 * returned in `inputs` and never affect `verb` or `requestId`. Other extra keys are ignored.
 */
export function parseActionData(value: unknown): ParsedAction | null {
  if (!isRecord(value)) return null;

  const action = own(value, 'action');
  if (action !== undefined) {
    // An invoke value: do not fall back to the Submit shape if it is malformed.
    if (!isRecord(action) || own(action, 'type') !== 'Action.Execute') return null;
    const verb = toVerb(own(action, 'verb'));
    const data = own(action, 'data');
    if (!verb || !isRecord(data)) return null;
    const requestId = own(data, 'requestId');
    return isRequestId(requestId) ? { verb, requestId, inputs: readInputs(data) } : null;
  }

  const verb = toVerb(own(value, 'verb'));
  const requestId = own(value, 'requestId');
  return verb && isRequestId(requestId) ? { verb, requestId, inputs: readInputs(value) } : null;
}
