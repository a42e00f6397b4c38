import type { UserSnapshot } from '../directory/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { displayNameOf, formatRoles, primarySmtp } from './format';
import { describeTenantSync } from './match-diagnostics';
import template from './tips.card.json';

export interface TipsCardInput {
  snapshot: UserSnapshot;
  /** The request that made the change: `undo <request id>` puts the old value back. */
  requestId: string;
  sandbox: boolean;
}

interface TipsCardViewModel {
  sandbox: boolean;
  requestId: string;
  displayName: string;
  upn: string;
  primarySmtp: string;
  hasRoles: boolean;
  rolesUnknown: boolean;
  roles: string;
  /** The tenant's soft/hard-match flags (or the permission needed to read them). */
  hasTenantFacts: boolean;
  tenantFacts: Array<{ text: string }>;
  /** The flags were read: the generic "check blockSoftMatchEnabled" tip is not needed. */
  tenantKnown: boolean;
}

const card = new CardTemplate<TipsCardViewModel>('tips', template);

/** Renders the follow-up card after a clear: how to verify it and how to get Entra Connect to re-match this user. */
export function renderTipsCard(input: TipsCardInput): AdaptiveCardJson {
  const { user, roles } = input.snapshot;
  const smtp = primarySmtp(user);
  const tenantFacts = describeTenantSync(input.snapshot).map((text) => ({ text }));
  return card.expand({
    sandbox: input.sandbox,
    requestId: escapeCardText(input.requestId, 128),
    displayName: escapeCardText(displayNameOf(user.displayName, user.userPrincipalName)),
    upn: escapeCardText(user.userPrincipalName),
    primarySmtp: smtp === null ? 'none (no mail or SMTP proxy address)' : escapeCardText(smtp),
    hasRoles: roles !== null && roles.length > 0,
    rolesUnknown: roles === null,
    roles: roles === null ? '' : formatRoles(roles),
    hasTenantFacts: tenantFacts.length > 0,
    tenantFacts,
    tenantKnown: input.snapshot.tenantSync?.kind === 'read',
  });
}
