import { it } from 'vitest';
import * as max from 'libphonenumber-js/max';
import * as min from 'libphonenumber-js/min';
const time = (label: string, f: () => void) => { const t = performance.now(); for (let i = 0; i < 3000; i++) f(); console.log(label.padEnd(30), ((performance.now() - t) * 1000 / 3000).toFixed(2)); };
it('bench', () => {
  for (const [s, r] of [['24681357','DE'],['2468135790','GB'],['+442079460018', undefined],['07911 123456','GB'],['07911 123456','US']] as const) {
    time(`max parse ${s} ${r}`, () => max.parsePhoneNumberFromString(s, r as any));
    time(`max possible ${s} ${r}`, () => max.parsePhoneNumberFromString(s, r as any)?.isPossible());
    time(`max valid ${s} ${r}`, () => max.parsePhoneNumberFromString(s, r as any)?.isValid());
    time(`min valid ${s} ${r}`, () => min.parsePhoneNumberFromString(s, r as any)?.isValid());
    time(`max validateLength ${s} ${r}`, () => max.validatePhoneNumberLength(s, r as any));
  }
});
