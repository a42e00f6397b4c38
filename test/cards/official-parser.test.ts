import { officialParserProblems } from './official-parser';

/** The checker must fail on the mistakes it exists to catch, or a clean result means nothing. */
describe('officialParserProblems (self-test)', () => {
  const base = { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5' };

  it('accepts a clean 1.5 card with Action.Execute, fallback and msteams', () => {
    expect(
      officialParserProblems({
        ...base,
        msteams: { width: 'Full' },
        body: [
          { type: 'TextBlock', text: 'Title', style: 'heading', wrap: true },
          { type: 'TextBlock', text: 'Start-ADSyncSyncCycle', fontType: 'Monospace', wrap: true },
          {
            type: 'ActionSet',
            actions: [
              {
                type: 'Action.Execute',
                title: 'Go',
                verb: 'clear.confirm',
                data: { requestId: 'x' },
                fallback: { type: 'Action.Submit', title: 'Go', data: { verb: 'clear.confirm', requestId: 'x' } },
              },
            ],
          },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts a refresh with userIds, also an empty list (the serializer drops empty arrays)', () => {
    const refresh = (userIds: string[]): Record<string, unknown> => ({
      action: { type: 'Action.Execute', verb: 'request.refresh', data: { requestId: 'x' } },
      userIds,
    });
    const body = [{ type: 'TextBlock', text: 'x' }];
    expect(officialParserProblems({ ...base, body, refresh: refresh(['29:a', '8:orgid:b']) })).toEqual([]);
    expect(officialParserProblems({ ...base, body, refresh: refresh([]) })).toEqual([]);
    expect(officialParserProblems({ ...base, body, refresh: { ...refresh([]), userIdz: ['a'] } }).join('\n')).toMatch(/dropped property: \$\.refresh\.userIdz/);
  });

  it('accepts an Action.ShowCard holding a required Input.Text with a label and error message', () => {
    const input = { type: 'Input.Text', id: 'r', label: 'Why', isRequired: true, errorMessage: 'Required', maxLength: 500, isMultiline: true };
    const showCard = (el: object): Record<string, unknown> => ({
      ...base,
      body: [{ type: 'ActionSet', actions: [{ type: 'Action.ShowCard', title: 'Reject', card: { type: 'AdaptiveCard', body: [el] } }] }],
    });
    expect(officialParserProblems(showCard(input))).toEqual([]);
    const { label: _l, ...unlabelled } = input;
    expect(officialParserProblems(showCard(unlabelled)).join('\n')).toMatch(/Required inputs should have a label/);
  });

  it.each([
    ['unknown element', { type: 'Bogus' }, /Unknown element type/],
    ['invalid enum value', { type: 'TextBlock', text: 'x', color: 'Purple' }, /Invalid value/],
    ['misspelt property', { type: 'TextBlock', text: 'x', fonttype: 'Monospace' }, /dropped property: \$\.body\[0\]\.fonttype/],
    [
      'broken fallback',
      { type: 'ActionSet', actions: [{ type: 'Action.Execute', title: 'Go', verb: 'v', fallback: { type: 'Action.Submit', title: 'Go', styel: 'x' } }] },
      /fallback Action\.Submit: unknown or dropped property/,
    ],
  ])('reports %s', (_name, element, expected) => {
    const problems = officialParserProblems({ ...base, body: [element] });
    expect(problems.join('\n')).toMatch(expected);
  });

  it('reports a card over 28 KB', () => {
    const big = { ...base, body: [{ type: 'TextBlock', text: 'x'.repeat(29 * 1024) }] };
    expect(officialParserProblems(big).join('\n')).toMatch(/over 28672/);
  });
});
