/**
 * How each change kind looks a user up for a bulk request: the same look-up, plan and rules
 * (blockers) as for one user, through the change-kind table. A kind the table does not have
 * (yet) has no planner, and the chat says so.
 */
import { ON_PREMISES_ATTRIBUTES, type UserAttribute } from '../directory/types';
import { CHANGE_KINDS } from '../workflow/change-kinds';
import { assessChange, findTarget } from '../workflow/look-up';
import type { BulkKind } from '../workflow/bulk/types';
import type { ChangeKind } from '../workflow/types';
import { assessOutcomeOf, targetOf, type BulkKindPlanner } from './bulk-jobs';

const TITLES: Record<BulkKind, string> = {
  'clear-immutable-id': 'Clear the immutable ID',
  'clear-on-prem-attributes': 'Clear the on-premises attributes',
};

function plannerFor(kind: BulkKind): BulkKindPlanner | undefined {
  const module = (CHANGE_KINDS as Partial<Record<string, (typeof CHANGE_KINDS)[ChangeKind]>>)[kind];
  if (!module) return undefined;
  return {
    action: TITLES[kind],
    assess: async (deps, name) => {
      try {
        const snapshot = await findTarget(deps, targetOf(name));
        // The on-prem attributes are not on the snapshot: read them (beta for onPremisesObjectIdentifier).
        const onPremises = kind === 'clear-on-prem-attributes' ? await deps.directory.readUser(snapshot.user.id, ON_PREMISES_ATTRIBUTES) : undefined;
        const changes = module.plan(snapshot, onPremises ? { onPremises } : {});
        const blockers = await assessChange(deps, module.kind, snapshot, changes);
        const user = snapshot.user;
        return {
          ok: true,
          assessed: {
            user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
            changes: changes.map((c) => ({ attribute: c.attribute as UserAttribute, before: c.before, after: c.after })),
            blockers: blockers.map((b) => ({ kind: b.kind, ...(b.kind === 'protected' ? { detail: b.detail } : {}) })),
          },
        };
      } catch (error) {
        return assessOutcomeOf(error, name);
      }
    },
  };
}

export function bulkPlanners(): Partial<Record<BulkKind, BulkKindPlanner>> {
  const out: Partial<Record<BulkKind, BulkKindPlanner>> = {};
  for (const kind of Object.keys(TITLES) as BulkKind[]) {
    const planner = plannerFor(kind);
    if (planner) out[kind] = planner;
  }
  return out;
}
