/** Who may confirm a change. Deny by default: an empty list means nobody. */
import type { Actor } from './types';

export interface ApproverPolicy {
  canApprove(actor: Actor): Promise<boolean>;
}

/** Approvers named by Entra object id (APPROVER_IDS). Group-based policies implement the same interface. */
export class ObjectIdApproverPolicy implements ApproverPolicy {
  private readonly ids: ReadonlySet<string>;

  constructor(ids: readonly string[]) {
    this.ids = new Set(ids.map((id) => id.toLowerCase()));
  }

  async canApprove(actor: Actor): Promise<boolean> {
    return actor.aadObjectId !== '' && this.ids.has(actor.aadObjectId.toLowerCase());
  }
}
