/** `convert <anchor>`: the same anchor in all three forms. No Graph call, no approval. */
import { text } from '../replies';
import type { CommandHandler } from './command';

export const convert: CommandHandler<'convert'> = async (_deps, _message, command) => {
  const { anchor } = command;
  return [
    text(
      [
        '**The same on-prem anchor in all three forms**',
        '',
        `- ObjectGUID: \`${anchor.guid}\``,
        `- Immutable ID (base64, what Entra ID holds): \`${anchor.immutableId}\``,
        `- ms-DS-ConsistencyGuid (hex, bytes as stored): \`${anchor.hex}\``,
        '',
        `To hard-match a user to it, send \`match\`, the user's UPN, then \`to ${anchor.guid}\``,
      ].join('\n'),
    ),
  ];
};
