/** Pure helpers over a request's attribute changes. */
import type { DirectoryUser, UserAttribute, UserPatch } from '../directory/types';
import type { AttributeChange, ChangeRequest, RequestStep, StepName } from './types';

/** The first change: the one cards, outcomes and audit lines name (e.g. onPremisesImmutableId). */
export function primaryChange(request: Pick<ChangeRequest, 'changes'>): AttributeChange {
  return request.changes[0] ?? { attribute: 'onPremisesImmutableId', before: null, after: null };
}

/** The PATCH body that writes every change. */
export function patchOf(changes: readonly AttributeChange[]): UserPatch {
  const patch: UserPatch = {};
  for (const c of changes) patch[c.attribute] = c.after;
  return patch;
}

/** The attributes a change touches, in order. */
export function attributesOf(changes: readonly AttributeChange[]): UserAttribute[] {
  return changes.map((c) => c.attribute);
}

/** The value of an attribute on a user as read; undefined when the snapshot does not carry it. */
export function valueOn(user: DirectoryUser, attribute: UserAttribute): string | null | undefined {
  const value = (user as unknown as Record<string, unknown>)[attribute];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** The user as it is after these changes (for tips and cards after a verified change). */
export function withChanges(user: DirectoryUser, changes: readonly AttributeChange[]): DirectoryUser {
  const next = { ...user } as unknown as Record<string, unknown>;
  for (const c of changes) if (c.attribute in next) next[c.attribute] = c.after;
  return next as unknown as DirectoryUser;
}

/** Whether every change's target value is what was read back. */
export function allApplied(changes: readonly AttributeChange[], read: UserPatch): boolean {
  return changes.every((c) => (read[c.attribute] ?? null) === c.after);
}

/** Fresh, all-pending steps for a kind's step names. */
export function pendingSteps(names: readonly StepName[]): RequestStep[] {
  return names.map((name) => ({ name, status: 'pending' }));
}
