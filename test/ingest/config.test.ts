// The `ingest:` section: Segment's limits by default, and errors that name the field.
import { describe, expect, it } from 'vitest';
import { IngestConfigError, parseIngestConfig } from '../../src/config/ingest-schema.js';

describe('ingest config', () => {
  it("defaults to Segment's limits, no CORS origins, no collected addresses, an untrusted proxy header", () => {
    const config = parseIngestConfig({ sources: [{ name: 'web' }] });
    expect(config.limits).toEqual({ maxEventBytes: 32 * 1024, maxBatchBytes: 500 * 1024, maxBatchEvents: 2500 });
    expect(config.cors.origins).toEqual([]);
    expect(config.sources[0]!.collectIp).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.topic).toBe('segment.events');
  });

  it('takes string spellings from the environment', () => {
    const config = parseIngestConfig({ port: '9000', sources: [{ name: 'web', collectIp: 'true' }], trustProxy: '2' });
    expect(config.port).toBe(9000);
    expect(config.sources[0]!.collectIp).toBe(true);
    expect(config.trustProxy).toBe(2);
  });

  it.each([
    [{}, 'ingest.sources'],
    [{ sources: [] }, 'ingest.sources'],
    [{ sources: [{ name: 'web' }, { name: 'web' }] }, 'ingest.sources[1].name: source web is listed twice'],
    [{ sources: [{ name: 'web' }], cors: { origins: ['https://shop.example/path'] } }, 'ingest.cors.origins[0]'],
    [{ sources: [{ name: 'web', collectIP: true }] }, 'ingest.sources[0]'],
    [{ sources: [{ name: 'web' }], limits: { maxEventBytes: 0 } }, 'ingest.limits.maxEventBytes'],
    [{ sources: [{ name: 'web' }], tls: { certFile: 'cert.pem' } }, 'ingest.tls.keyFile'],
  ])('refuses %j naming %s', (raw, field) => {
    expect(() => parseIngestConfig(raw)).toThrow(IngestConfigError);
    expect(() => parseIngestConfig(raw)).toThrow(field);
  });
});
