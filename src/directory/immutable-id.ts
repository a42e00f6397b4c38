/**
 * Conversions between an on-premises objectGUID / ms-DS-ConsistencyGuid and the
 * base64 onPremisesImmutableId that Entra Connect writes (Guid.ToByteArray() order).
 */

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Byte positions of Guid.ToByteArray(): the first three groups are little-endian. */
const DOTNET_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

/** Converts a GUID string to the immutable id Entra Connect would write for it. */
export function guidToImmutableId(guid: string): string {
  if (!GUID_PATTERN.test(guid)) throw new Error(`not a GUID: ${guid}`);
  const bigEndian = Buffer.from(guid.replace(/-/g, ''), 'hex');
  const bytes = Buffer.from(DOTNET_ORDER.map((i) => bigEndian[i] as number));
  return bytes.toString('base64');
}

/** Converts an immutable id back to the GUID it encodes, or null when it is not a 16-byte value. */
export function immutableIdToGuid(immutableId: string): string | null {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(immutableId)) return null;
  const bytes = Buffer.from(immutableId, 'base64');
  if (bytes.length !== 16) return null;
  const hex = Buffer.from(DOTNET_ORDER.map((i) => bytes[i] as number)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
