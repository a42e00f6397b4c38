import { renderTipsCard } from '../../src/cards';
import type { UserSnapshot } from '../../src/directory/types';
import { cardTextJoined, collectCardText, findActions } from './card-text';
import { makeSnapshot, REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

const ROLES: UserSnapshot['roles'] = [
  { displayName: 'Global Administrator', roleTemplateId: '62e90394-69f5-4237-9190-012177145e10' },
  { displayName: 'Exchange Administrator', roleTemplateId: null },
];

/** TextBlocks drawn in a monospace font. */
function monospaceTexts(card: unknown): string[] {
  const out: string[] = [];
  JSON.stringify(card, (_k, v: unknown) => {
    const o = v as Record<string, unknown> | null;
    if (o && typeof o === 'object' && o.type === 'TextBlock' && o.fontType === 'Monospace' && typeof o.text === 'string') out.push(o.text);
    return v;
  });
  return out;
}

describe('renderTipsCard', () => {
  it.each([
    ['no roles', makeSnapshot()],
    ['roles', makeSnapshot({ roles: ROLES })],
    ['roles unreadable', makeSnapshot({ roles: null })],
    ['no mail at all', makeSnapshot({ user: { mail: null, proxyAddresses: [] } })],
    ['guest', makeSnapshot({ user: { userType: 'Guest', userPrincipalName: 'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com' } })],
    [
      'hostile and long',
      makeSnapshot({
        user: { displayName: '<at>x</at>'.repeat(300), userPrincipalName: '[a](b)'.repeat(300), proxyAddresses: ['SMTP:' + '*'.repeat(3000)] },
        roles: Array.from({ length: 60 }, () => ({ displayName: '${$root}'.repeat(50), roleTemplateId: null })),
      }),
    ],
  ])('%s: passes the official parser, no buttons', (_name, snapshot) => {
    for (const sandbox of [false, true]) {
      const card = renderTipsCard({ requestId: REQUEST_ID, snapshot, sandbox });
      expectValidCard(card);
      expect(findActions(card)).toEqual([]);
      expect(cardTextJoined(card).includes('🧪 Sandbox directory')).toBe(sandbox);
    }
  });

  it('names the cloud values a soft match needs: UPN and the primary SMTP (SMTP: proxy, not mail)', () => {
    const card = renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot(), sandbox: false });
    const texts = collectCardText(card);
    expect(texts).toContain('alice@contoso.com');
    expect(texts).toContain('alice.smith@contoso.com');
    expect(texts).not.toContain('a.smith@contoso.com');
    expect(monospaceTexts(card)).toEqual(['show alice@contoso.com', 'Start-ADSyncSyncCycle -PolicyType Delta']);
  });

  it('falls back to mail when there is no SMTP: proxy address', () => {
    const card = renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot({ user: { proxyAddresses: ['smtp:other@contoso.com'], mail: 'mail@contoso.com' } }), sandbox: false });
    expect(collectCardText(card)).toContain('mail@contoso.com');
  });

  it('covers verification, the rollback record, the sync command and troubleshooting', () => {
    const text = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot(), sandbox: false }));
    for (const expected of [
      /kept in the bot's records/,
      /Start-ADSyncSyncCycle -PolicyType Delta/,
      /30 minutes/,
      /Synchronization Service Manager/,
      /export errors/,
      /InvalidSoftMatch/,
      /duplicate attribute/,
      /blockSoftMatchEnabled/,
      /ms-DS-ConsistencyGuid/,
      /objectGUID/,
    ]) {
      expect(text).toMatch(expected);
    }
  });

  it('names the command that puts the old value back, with this request id', () => {
    const text = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot(), sandbox: false }));
    expect(text).toContain(`send undo ${REQUEST_ID.replace(/_/g, '\\_')} to put it back`);
  });

  it('says ms-DS-ConsistencyGuid takes the objectGUID bytes (binary) and only the immutable ID takes base64', () => {
    const text = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot(), sandbox: false }));
    expect(text).toMatch(/objectGUID's bytes into the on-prem ms-DS-ConsistencyGuid \(a binary value, not text\)/);
    expect(text).toMatch(/only the immutable ID takes base64/);
    expect(text).not.toMatch(/ms-DS-ConsistencyGuid \(or this user's immutable ID\) to the base64/);
  });

  it('warns about admin roles only when the user has some', () => {
    const withRoles = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot({ roles: ROLES }), sandbox: false }));
    expect(withRoles).toMatch(/Admin roles block soft matching/);
    expect(withRoles).toContain('Global Administrator, Exchange Administrator');
    const without = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot({ roles: [] }), sandbox: false }));
    expect(without).not.toMatch(/Admin roles block/);
    expect(without).not.toContain('Global Administrator');
    const unknown = cardTextJoined(renderTipsCard({ requestId: REQUEST_ID, snapshot: makeSnapshot({ roles: null }), sandbox: false }));
    expect(unknown).not.toMatch(/Admin roles block/);
    expect(unknown).toMatch(/could not be read/);
  });

  describe("the tenant's matching flags", () => {
    const tips = (tenantSync: UserSnapshot['tenantSync']) => {
      const card = renderTipsCard({ requestId: REQUEST_ID, snapshot: { ...makeSnapshot(), ...(tenantSync ? { tenantSync } : {}) }, sandbox: false });
      expectValidCard(card);
      return cardTextJoined(card);
    };

    it('says soft match is blocked, and drops the generic "check the setting" tip, when the flags were read', () => {
      const text = tips({ kind: 'read', flags: { blockSoftMatchEnabled: true, softMatchOnUpnEnabled: false, blockCloudObjectTakeoverThroughHardMatchEnabled: true } });
      expect(text).toMatch(/In this tenant/);
      expect(text).toMatch(/Soft match is blocked in this tenant: only a hard match will work/);
      expect(text).toMatch(/Hard-match takeover of cloud objects is blocked in this tenant/);
      expect(text).not.toMatch(/Check that soft matching isn't turned off/);
    });

    it('says soft match on the UPN is allowed when it is', () => {
      const text = tips({ kind: 'read', flags: { blockSoftMatchEnabled: false, softMatchOnUpnEnabled: true, blockCloudObjectTakeoverThroughHardMatchEnabled: false } });
      expect(text).toMatch(/Soft match is allowed in this tenant: on the primary SMTP address, then on the UPN/);
      expect(text).not.toMatch(/takeover/);
    });

    it('names the permission it needs when the flags may not be read, and keeps the generic tip', () => {
      const text = tips({ kind: 'forbidden' });
      expect(text).toMatch(/needs the Graph permission OnPremDirectorySynchronization\.Read\.All/);
      expect(text).toMatch(/Check that soft matching isn't turned off/);
    });

    it('shows no tenant section when the flags are unknown', () => {
      const text = tips(undefined);
      expect(text).not.toMatch(/In this tenant/);
      expect(text).toMatch(/Check that soft matching isn't turned off/);
    });
  });
});
