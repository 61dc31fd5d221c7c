/**
 * `bank_account` — a domestic bank account number: 6–17 bare digits (US ABA accounts run to 17).
 * The shape is weak on its own, so the detector only uses it together with a key match; here we
 * only drop placeholders: all-same-digit and sequential runs.
 */
import { isAllSameChar, isDigits, isSequentialDigits, prepare } from './common.js';

export function isBankAccount(candidate: string): boolean {
  const value = prepare(candidate, 32);
  if (value === null || value.length < 6 || value.length > 17 || !isDigits(value)) return false;
  return !isAllSameChar(value) && !isSequentialDigits(value);
}
