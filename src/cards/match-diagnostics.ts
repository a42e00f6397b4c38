/**
 * What decides whether the next sync matches this user, in plain words: the tenant's matching
 * flags, admin roles, the UPN and primary SMTP the on-prem object must carry, sync errors and the
 * domain's authentication type. Pure; every directory value is escaped.
 */
import type { UserSnapshot } from '../directory/types';
import { escapeCardText } from './escape';
import { primarySmtp } from './format';

/** The permission that lets the app read the tenant's sync settings. */
export const SYNC_SETTINGS_PERMISSION = 'OnPremDirectorySynchronization.Read.All';

/** The tenant's matching flags in plain words; empty when the read was not attempted. */
export function describeTenantSync(snapshot: Pick<UserSnapshot, 'tenantSync'>): string[] {
  const tenant = snapshot.tenantSync;
  const lines: string[] = [];
  if (tenant?.kind === 'read') {
    const f = tenant.flags;
    lines.push(
      f.blockSoftMatchEnabled
        ? 'Soft match is blocked in this tenant: only a hard match will work (send match, the user, to, and the on-prem anchor).'
        : f.softMatchOnUpnEnabled
          ? 'Soft match is allowed in this tenant: on the primary SMTP address, then on the UPN.'
          : 'Soft match is allowed in this tenant on the primary SMTP address only (soft match on UPN is off).',
    );
    if (f.blockCloudObjectTakeoverThroughHardMatchEnabled) {
      lines.push('Hard-match takeover of cloud objects is blocked in this tenant: a cloud-only user with an immutable ID will not be taken over by an on-prem object.');
    }
  } else if (tenant?.kind === 'forbidden') {
    lines.push(`Tenant sync settings (soft/hard match blocks) not shown: the bot's app needs the Graph permission ${SYNC_SETTINGS_PERMISSION} to read them.`);
  }
  return lines;
}

/** Plain sentences (no markup: each is its own TextBlock), most decisive first. */
export function describeMatchDiagnostics(snapshot: UserSnapshot): string[] {
  const { user, domain, roles } = snapshot;
  const lines: string[] = [];
  lines.push(...describeTenantSync(snapshot));
  // Roles that are held, or could not be read, have their own warning on the card.
  if (roles !== null && roles.length === 0) lines.push('No active admin roles, so none stops a soft match.');
  const smtp = primarySmtp(user);
  lines.push(
    `For a soft match the on-prem object must carry the UPN ${escapeCardText(user.userPrincipalName)}` +
      (smtp ? ` and the primary SMTP address ${escapeCardText(smtp)}.` : ' (the user has no primary SMTP address).'),
  );
  for (const e of (user.onPremisesProvisioningErrors ?? []).slice(0, 5)) {
    lines.push(`Sync error ${escapeCardText(e.category, 40)} on ${escapeCardText(e.propertyCausingError, 40)}: the value ${escapeCardText(e.value, 200)} is in conflict with another object.`);
  }
  lines.push(
    domain.authenticationType === 'Federated'
      ? `The domain ${escapeCardText(domain.id)} is Federated: the user cannot be left without an anchor.`
      : domain.authenticationType === 'Managed'
        ? `The domain ${escapeCardText(domain.id)} is Managed (cloud authentication).`
        : `The authentication type of ${escapeCardText(domain.id)} could not be read.`,
  );
  return lines;
}
