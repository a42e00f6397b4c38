/** Shared by the configuration tests: the least a start needs, and the problems a start would report. */
import { ConfigError, loadConfig } from '../../src/config';

export const TENANT = '6b1c8d8e-5f2a-4c3b-9a1e-5b7c2d3e4f50';
export const CLIENT = '11111111-2222-3333-4444-555555555555';
/** Graph app settings only: every other setting takes its default. */
export const base = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 's' };

/** The problems loadConfig reports for exactly this environment (none when it starts). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
