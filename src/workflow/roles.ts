/**
 * Who may request and who may approve, from explicit object ids and Entra groups (transitive
 * membership through Graph, cached briefly for reads, asked afresh before a write). Deny by default: no approver configured means nobody.
 */
import type { Config } from '../config';
import type { Actor } from './types';

/** Parsed from APPROVER_IDS, APPROVER_GROUP_ID, REQUESTER_IDS, REQUESTER_GROUP_ID, REQUIRE_SEPARATE_APPROVER, REQUIRED_APPROVALS. */
export type RolesConfig = Config['roles'];

/** Graph's transitive group check (POST /users/{id}/checkMemberGroups). */
export interface GroupMembership {
  /** The subset of groupIds the user belongs to, directly or through nested groups. */
  checkMemberGroups(userId: string, groupIds: string[]): Promise<string[]>;
}

export interface RolePolicy {
  readonly config: RolesConfig;
  canRequest(actor: Actor): Promise<boolean>;
  /**
   * `fresh`: ask Graph now, bypassing the membership cache; used when the answer lets a tap write
   * to the directory, so someone just removed from the approvers' group cannot approve.
   */
  canApprove(actor: Actor, options?: { fresh?: boolean }): Promise<boolean>;
  /** Explicit approvers as Teams user MRIs for card refresh (Teams allows at most 60). */
  approverIdsForRefresh(): string[];
  /** Whether anybody at all can approve. */
  hasApprovers(): boolean;
}

export class ConfiguredRoles implements RolePolicy {
  private readonly cache = new Map<string, { groups: Set<string>; until: number }>();
  private readonly approverIds: Set<string>;
  private readonly requesterIds: Set<string>;

  constructor(
    readonly config: RolesConfig,
    private readonly membership?: GroupMembership,
    private readonly cacheMs = 5 * 60_000,
  ) {
    this.approverIds = new Set(config.approverIds.map((id) => id.toLowerCase()));
    this.requesterIds = new Set(config.requesterIds.map((id) => id.toLowerCase()));
  }

  hasApprovers(): boolean {
    return this.approverIds.size > 0 || Boolean(this.config.approverGroupId);
  }

  /** Teams user MRIs of org users are "8:orgid:<Entra object id>". Group approvers are not expanded. */
  approverIdsForRefresh(): string[] {
    return [...this.approverIds].slice(0, 60).map((id) => `8:orgid:${id}`);
  }

  async canApprove(actor: Actor, options: { fresh?: boolean } = {}): Promise<boolean> {
    const id = actor.aadObjectId.toLowerCase();
    if (!id) return false;
    if (this.approverIds.has(id)) return true;
    return this.inGroup(id, this.config.approverGroupId, options.fresh === true);
  }

  /** With no requester restriction configured, anyone in a served tenant may ask (asking changes nothing). */
  async canRequest(actor: Actor): Promise<boolean> {
    const id = actor.aadObjectId.toLowerCase();
    const restricted = this.requesterIds.size > 0 || Boolean(this.config.requesterGroupId);
    if (!restricted) return true;
    if (!id) return false;
    if (this.requesterIds.has(id)) return true;
    if (await this.inGroup(id, this.config.requesterGroupId)) return true;
    return this.canApprove(actor);
  }

  private async inGroup(userId: string, groupId: string | undefined, fresh = false): Promise<boolean> {
    if (!groupId || !this.membership) return false;
    const groups = await this.groupsOf(userId, fresh);
    return groups.has(groupId.toLowerCase());
  }

  /** One Graph call checks every configured group; the answer is cached per user (for reads). */
  private async groupsOf(userId: string, fresh: boolean): Promise<Set<string>> {
    const cached = this.cache.get(userId);
    if (!fresh && cached && cached.until > Date.now()) return cached.groups;
    const wanted = [this.config.approverGroupId, this.config.requesterGroupId].filter((g): g is string => Boolean(g));
    const found = await (this.membership as GroupMembership).checkMemberGroups(userId, wanted);
    const groups = new Set(found.map((g) => g.toLowerCase()));
    this.cache.set(userId, { groups, until: Date.now() + this.cacheMs });
    return groups;
  }
}
