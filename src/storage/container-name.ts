/** The blob container's name rules, apart from the Azure SDK so that file storage never loads it. */

export const DEFAULT_CONTAINER_NAME = 'immutable-id-bot';

/**
 * Why a container name is not valid, or undefined: 3 to 63 lower-case letters, digits and
 * single hyphens, starting and ending with a letter or digit.
 */
export function containerNameProblem(name: string): string | undefined {
  if (/^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(name)) return undefined;
  return `"${name}" is not a valid Azure Blob container name: use 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (default ${DEFAULT_CONTAINER_NAME})`;
}
