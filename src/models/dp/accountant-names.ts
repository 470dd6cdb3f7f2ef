/** The DP-SGD accountants by name (accountant.ts): a light file, so a command's declaration can list them. */
export const ACCOUNTANT_NAMES = ['rdp', 'prv'] as const;
export type AccountantName = (typeof ACCOUNTANT_NAMES)[number];
