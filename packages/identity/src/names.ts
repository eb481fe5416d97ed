import { invalidArgument, isRole, Role } from '@cairn/core';

/** A workspace's id is its name: URL-safe, lower case, immutable. */
export const WORKSPACE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** User names go into `Basic` credentials and audit records, so no ':' and no spaces. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const MAX_DESCRIPTION = 5000;
export const MAX_MESSAGE = 2000;
export const MAX_TOKEN_NAME = 200;

export function checkWorkspaceName(value: string, field = 'name'): string {
  if (!WORKSPACE_NAME.test(value)) {
    throw invalidArgument(
      `Invalid workspace name '${value}' in '${field}': use 1 to 63 lower-case letters, digits and '-', starting with a letter or digit`,
      { field },
    );
  }
  return value;
}

export function checkUserName(value: string, field = 'name'): string {
  if (!USER_NAME.test(value)) {
    throw invalidArgument(
      `Invalid user name '${value}' in '${field}': use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`,
      { field },
    );
  }
  return value;
}

export function checkRole(value: unknown, field = 'role'): Role {
  if (!isRole(value)) {
    throw invalidArgument(`Unknown role '${String(value)}' in '${field}': use one of ${Role.join(', ')}`, {
      field,
    });
  }
  return value;
}

export function checkLength(value: string, max: number, field: string): string {
  if (value.length > max) {
    throw invalidArgument(`'${field}' is ${value.length} characters long; the limit is ${max}`, { field });
  }
  return value;
}
