import { describe, expect, it } from 'vitest';
import { maskValue } from '../../src/inventory/mask.js';

describe('maskValue: examples show a shape, never the data', () => {
  it('masks letters to x and digits to 9, keeping punctuation', () => {
    expect(maskValue('jane@example.com')).toBe('xxxx@xxxxxxx.xxx');
    expect(maskValue('+1 415-555-2671')).toBe('+9 999-999-9999');
    expect(maskValue(4111111111111111)).toBe('9999999999999999');
  });

  it('masks letters and digits outside ASCII and outside the BMP, without splitting surrogate pairs', () => {
    expect(maskValue('Zoë ١٢٣')).toBe('xxx 999');
    expect(maskValue('𝐣𝐚𝐧𝐞 𠀀')).toBe('xxxx x');
    const long = maskValue('𝐣'.repeat(60));
    expect(long).toBe(`${'x'.repeat(48)}…`);
  });

  it('for red values keeps only the format separators - and space: other symbols belong to the secret', () => {
    expect(maskValue('P@ss!w0rd#', true, true)).toBe('x*xx*x9xx*');
    expect(maskValue('123-45-6789', true, true)).toBe('999-99-9999');
    expect(maskValue('4111 1111 1111 1111', true, true)).toBe('9999 9999 9999 9999');
  });

  it('shows an unclassified flag as is, a classified one only as <boolean>', () => {
    expect(maskValue(true, false)).toBe('true');
    expect(maskValue(true, true)).toBe('<boolean>');
    expect(maskValue(null)).toBe('null');
  });
});
