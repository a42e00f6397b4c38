/**
 * Every change kind behind one table. Adding a kind: one module here (plan, assess, steps, apply,
 * wording), one member of ChangeKind in ../types.ts and one entry below; the compiler then
 * points at every place that must say something about it.
 */
import type { ChangeKind } from '../types';
import type { ChangeKindModule } from './change-kind';
import { clearImmutableId } from './clear-immutable-id';
import { clearOnPremAttributes } from './clear-on-prem-attributes';
import { moveUpnAndClear } from './move-upn-and-clear';
import { restoreAndClear } from './restore-and-clear';
import { restoreUpn } from './restore-upn';
import { setImmutableId } from './set-immutable-id';
import { undo } from './undo';

export const CHANGE_KINDS: Record<ChangeKind, ChangeKindModule> = {
  'clear-immutable-id': clearImmutableId,
  'set-immutable-id': setImmutableId,
  undo,
  'restore-and-clear': restoreAndClear,
  'move-upn-and-clear': moveUpnAndClear,
  'restore-upn': restoreUpn,
  'clear-on-prem-attributes': clearOnPremAttributes,
};

/** The module of a kind. Throws for a kind this version does not know (a newer bot's stored request). */
export function kindModule(kind: ChangeKind): ChangeKindModule {
  const found = CHANGE_KINDS[kind] as ChangeKindModule | undefined;
  if (!found) throw new Error(`unknown change kind: ${String(kind)}`);
  return found;
}

export type { AssessContext, CardChangeText, ChangeKindModule, ChangeWording, PlanInput } from './change-kind';
export { movedFromUpn } from './move-upn-and-clear';
export { assessClear } from './clear-immutable-id';
export { privilegedRoles, type Protection } from './protection';
