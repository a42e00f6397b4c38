/** Users found only in deleted items, as snapshots the change kinds can assess and cards can show. */
import { DirectoryError } from '../directory/directory-error';
import type { Directory } from '../directory/graph-directory';
import type { DeletedUser, DomainInfo, UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';

/** The UPN a deleted user had: Graph prefixes it with the object id without dashes. */
export function upnBeforeDeletion(deleted: Pick<DeletedUser, 'id' | 'userPrincipalName'>): string {
  const prefix = deleted.id.replace(/-/g, '').toLowerCase();
  return deleted.userPrincipalName.toLowerCase().startsWith(prefix) ? deleted.userPrincipalName.slice(prefix.length) : deleted.userPrincipalName;
}

/** A deleted user as a snapshot (UPN as before deletion; roles none: a deleted user holds no active role). */
export function toDeletedSnapshot(deleted: DeletedUser, domains: readonly DomainInfo[]): UserSnapshot {
  const upn = upnBeforeDeletion(deleted);
  const domainName = upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
  const domain = domains.find((d) => d.id.toLowerCase() === domainName) ?? { id: domainName, authenticationType: 'Unknown' as const };
  return {
    user: {
      id: deleted.id,
      displayName: deleted.displayName,
      userPrincipalName: upn,
      mail: deleted.mail,
      onPremisesImmutableId: deleted.onPremisesImmutableId,
      onPremisesSyncEnabled: deleted.onPremisesSyncEnabled,
      onPremisesLastSyncDateTime: null,
      onPremisesUserPrincipalName: null,
      accountEnabled: null,
      userType: null,
      proxyAddresses: deleted.mail ? [`SMTP:${deleted.mail}`] : [],
    },
    domain: { id: domain.id, authenticationType: domain.authenticationType },
    roles: [],
    readAt: new Date().toISOString(),
    deleted: { deletedDateTime: deleted.deletedDateTime },
  };
}

/** The one deleted user matching the key, or undefined; several matches are ambiguous (named). */
export async function deletedSnapshot(directory: Directory, key: UserKey): Promise<UserSnapshot | undefined> {
  const found = await directory.findDeletedUsers(key);
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new DirectoryError('directory.ambiguous', `${found.length} deleted users match ${key.value}: ${found.map((u) => `${upnBeforeDeletion(u)} (${u.id})`).join(', ')}`);
  }
  return toDeletedSnapshot(found[0] as DeletedUser, await directory.listDomains());
}
