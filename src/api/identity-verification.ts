/**
 * An export by email hands one person's decrypted events to whoever names an address, and email
 * links come from what clients send (`identify {userId: "victim", traits: {email: "mallory@…"}}`
 * is one forged event away). So the API answers an export by email only after the deployment's
 * identity verification hook has confirmed the requester: no hook configured, no export by email
 * (by userId, which an operator looks up in the system of record, it still works).
 *
 * The hook gets the address, how many stored subjects it reaches, and the evidence the caller
 * passed in the `x-identity-verification` header (a ticket or verification id of the deployment's
 * own process); it answers whether the requester is verified as that person. Anything but a clear
 * yes (an error, a timeout, another status or body) is a no.
 */
export interface IdentityClaim {
  email: string;
  subjects: number;
  evidence: string | null;
  requestId: string;
  keyId: string;
}

export type IdentityVerifier = (claim: IdentityClaim) => Promise<boolean>;

export const VERIFICATION_HEADER = 'x-identity-verification';

/**
 * The hook as an HTTPS endpoint: POST of the claim as JSON; verified when it answers 200 with
 * `{"verified": true}` within `timeoutMs`.
 */
export function webhookVerifier(url: string, options: { timeoutMs?: number; token?: string } = {}): IdentityVerifier {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !/^(127\.|localhost$|\[::1\]$)/.test(parsed.hostname)) {
    throw new Error('the identity verification URL must be https (or a loopback address)');
  }
  return async (claim) => {
    try {
      const res = await fetch(parsed, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify(claim),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (res.status !== 200) return false;
      const body = (await res.json()) as { verified?: unknown };
      return body?.verified === true;
    } catch {
      return false;
    }
  };
}

/** The hook a server's environment configures: SEGMENTLOOM_IDENTITY_VERIFY_URL (and _TOKEN), or none. */
export function verifierFromEnv(env: Readonly<Record<string, string | undefined>>): IdentityVerifier | null {
  const url = env.SEGMENTLOOM_IDENTITY_VERIFY_URL;
  if (url === undefined || url === '') return null;
  return webhookVerifier(url, { token: env.SEGMENTLOOM_IDENTITY_VERIFY_TOKEN || undefined });
}
