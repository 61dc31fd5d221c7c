/**
 * `email` — an address whose local part is an RFC 5322 dot-atom and whose domain is a valid
 * hostname ending in a real ICANN public suffix (via `tldts`). The suffix check is what rejects
 * `user@host.invalidtld`, `x@localhost` and retina asset names such as `icon@2x.png`.
 * Internationalized domains (IDNA 2008, RFC 5890/5891) are checked in their ASCII form: a Unicode
 * domain (`bücher.de`, `пример.рф`) is converted by UTS #46 processing, and a domain written in
 * punycode (`xn--bcher-kva.de`, `…xn--p1ai`) must hold A-labels that decode (RFC 3492): `xn--zz.de`
 * is not a domain. Quoted local parts, non-ASCII local parts and IP-literal domains
 * (`user@[10.0.0.1]`) are not accepted.
 */
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';
import { prepare } from './common.js';

const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit
const MAX_LOCAL_LENGTH = 64;

// atext of RFC 5322; dots only between atoms (no leading, trailing or doubled dots).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// LDH labels of 1–63 chars, at least two labels, no hyphen at either end of a label.
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// `@2x`, `@3x`, `@1.5x` density suffixes of image assets: `logo@2x.png`, `hero@3x.mov`.
const ASSET_DENSITY = /^\d+(?:\.\d+)?x$/;

const TLDTS_OPTIONS = { extractHostname: false, validateHostname: false, detectIp: false } as const;

export function isEmail(candidate: string): boolean {
  // URL-encoded addresses (`?email=jane%40example.com`, a common way emails leak into URLs).
  const value = prepare(candidate.includes('%40') ? candidate.replaceAll('%40', '@') : candidate, MAX_EMAIL_LENGTH);
  if (value === null) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > MAX_LOCAL_LENGTH || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const written = value.slice(at + 1);
  const domain = /^[\x00-\x7f]*$/.test(written) ? written.toLowerCase() : domainToASCII(written);
  if (domain.length > 253 || !LOCAL_PART.test(local) || !HOSTNAME.test(domain)) return false;
  return isMailDomain(domain);
}

// Domains are few (gmail.com, the company's own) while addresses are many: the public-suffix
// lookup, the costly part, is remembered per domain (bounded; cleared when full).
const domainVerdicts = new Map<string, boolean>();
const MAX_DOMAINS = 4096;

function isMailDomain(domain: string): boolean {
  let verdict = domainVerdicts.get(domain);
  if (verdict === undefined) {
    const parsed = parse(domain, TLDTS_OPTIONS);
    verdict = parsed.isIcann === true && !!parsed.domainWithoutSuffix && !ASSET_DENSITY.test(parsed.domainWithoutSuffix) && validALabels(domain);
    if (domainVerdicts.size >= MAX_DOMAINS) domainVerdicts.clear();
    domainVerdicts.set(domain, verdict);
  }
  return verdict;
}

/** Every `xn--` label is a real A-label: UTS #46 maps the domain to itself (invalid punycode maps to ''). */
function validALabels(domain: string): boolean {
  return !domain.includes('xn--') || domainToASCII(domain) === domain;
}
