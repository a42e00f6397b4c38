/** Builds the @azure/identity credential for Graph from validated configuration. */
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  TokenCredential,
} from '@azure/identity';
import type { Config } from '../config';

/** Secret, certificate or managed identity, by @azure/identity's conventions. */
export function createGraphCredential(graph: Config['graph']): TokenCredential {
  const c = graph.credential;
  const options = {
    ...(graph.authorityHost ? { authorityHost: graph.authorityHost } : {}),
    // Private and local authorities are unknown to Microsoft's instance discovery.
    disableInstanceDiscovery: graph.disableInstanceDiscovery,
  };
  switch (c.kind) {
    case 'secret':
      return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, options);
    case 'certificate':
      return new ClientCertificateCredential(
        c.tenantId,
        c.clientId,
        { certificatePath: c.certificatePath, ...(c.certificatePassword ? { certificatePassword: c.certificatePassword } : {}) },
        options,
      );
    case 'managed-identity':
      return c.clientId ? new ManagedIdentityCredential({ clientId: c.clientId }) : new ManagedIdentityCredential();
  }
}
