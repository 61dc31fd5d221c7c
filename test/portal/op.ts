// A real OpenID Provider for the portal's tests: oidc-provider (a certified OP implementation)
// on 127.0.0.1, with its development login and consent pages, one confidential client (code
// flow, PKCE required, client_secret_basic) and users of each role by their groups.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const USERS: Record<string, { name: string; email: string; groups: string[] }> = {
  olivia: { name: 'Olivia Owner', email: 'olivia@corp.example', groups: ['privacy-owners', 'staff'] },
  eddie: { name: 'Eddie Editor', email: 'eddie@corp.example', groups: ['privacy-editors'] },
  vera: { name: 'Vera Viewer', email: 'vera@corp.example', groups: ['analysts'] },
  nobody: { name: 'No Role', email: 'nobody@corp.example', groups: ['sales'] },
};
export const ROLE_MAP = 'privacy-owners=owner,privacy-editors=editor,analysts=viewer';
export const CLIENT = { id: 'segmentloom-portal', secret: 'portal-test-secret-0123456789abcdef' };

export interface TestOp {
  issuer: string;
  close(): Promise<void>;
}

/** Starts the OP; `redirectUri` is the portal's callback (the API's port must be known first). */
export async function startOp(redirectUri: string): Promise<TestOp> {
  let handler: ((req: any, res: any) => void) | null = null;
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
    cookies: { keys: ['op-test-cookie-key-0123456789abcdef'] },
    findAccount: async (_ctx: unknown, id: string) => {
      const user = USERS[id];
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: user.name, email: user.email, groups: user.groups }) };
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', () => undefined);
  handler = provider.callback();
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A free port for the API, so its callback URL can be registered before it starts. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
