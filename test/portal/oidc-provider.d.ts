// oidc-provider ships no type declarations; the tests use only its constructor and callback().
declare module 'oidc-provider' {
  export default class Provider {
    constructor(issuer: string, configuration: unknown);
    callback(): (req: unknown, res: unknown) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
