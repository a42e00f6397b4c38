import { MAX_BULK_USERS, parseBulkTargets } from '../../src/conversation/parse-bulk-targets';

describe('parseBulkTargets', () => {
  it('leaves one user to the single-user flow', () => {
    expect(parseBulkTargets('alice@contoso.com')).toBeNull();
    expect(parseBulkTargets('  alice@contoso.com  ')).toBeNull();
    expect(parseBulkTargets('Alice Smith')).toBeNull(); // a display name, searched by the single-user flow
    expect(parseBulkTargets('alice@contoso.com bob')).toBeNull();
  });

  it('reads lists separated by commas, semicolons, spaces and new lines, once each', () => {
    expect(parseBulkTargets('alice@contoso.com, bob@contoso.com;carol@fabrikam.com\nALICE@contoso.com a11ce000-0000-4000-8000-000000000001')).toEqual({
      ok: true,
      source: { type: 'list', names: ['alice@contoso.com', 'bob@contoso.com', 'carol@fabrikam.com', 'a11ce000-0000-4000-8000-000000000001'] },
    });
  });

  it('reads members of a group by name, mail or id, quotes removed', () => {
    expect(parseBulkTargets('members of Forest move wave 1')).toEqual({ ok: true, source: { type: 'group', group: 'Forest move wave 1' } });
    expect(parseBulkTargets('members of "forest-move-wave1@contoso.com"')).toEqual({ ok: true, source: { type: 'group', group: 'forest-move-wave1@contoso.com' } });
    expect(parseBulkTargets('Members of group f02e5700-0000-4000-8000-000000000111')).toEqual({ ok: true, source: { type: 'group', group: 'f02e5700-0000-4000-8000-000000000111' } });
  });

  it('says which entries are not users, and looks nothing up', () => {
    const result = parseBulkTargets('alice@contoso.com, not-a-user, x/y@contoso.com');
    expect(result).toMatchObject({ ok: false });
    expect((result as { message: string }).message).toMatch(/2 entries are not a UPN, mail address or object id: "not-a-user", "x\/y@contoso.com"/);
    expect(parseBulkTargets('members of ../etc')).toMatchObject({ ok: false });
  });

  it(`refuses more than ${MAX_BULK_USERS} users`, () => {
    const names = Array.from({ length: MAX_BULK_USERS + 1 }, (_, i) => `user${i}@contoso.com`).join(',');
    expect((parseBulkTargets(names) as { message: string }).message).toMatch(/1001 users; one request takes at most 1000/);
    expect(parseBulkTargets(names.split(',').slice(0, MAX_BULK_USERS).join(','))).toMatchObject({ ok: true });
  });
});
