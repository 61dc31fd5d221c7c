import { loadEngineConfig } from '../../config/load.js';
import { probeConfig, type EndpointReport, type EndpointStatus } from '../doctor/probes.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand } from '../registry.js';

/** Exit statuses of `doctor` (documented in --help and the README). */
export const DOCTOR_EXIT = { ok: EXIT.ok, failed: EXIT.failure, usage: EXIT.usage, plainText: 4, config: EXIT.config } as const;

const HELP = `Usage: segmentloom doctor --config FILE [--api URL] [--api-ca FILE] [--timeout-ms N] [--json]

Connects to every endpoint the config names — Kafka brokers, the PostgreSQL store, alert
channels, the schema registry and (with --api) a running control-plane API — and reports for each
whether it is encrypted, with which TLS version, and whether its certificate was verified.
Warns loudly when any endpoint is plain text. Nothing is produced, consumed or written.

Options:
  --config FILE    engine config (YAML)
  --api URL        also check the control-plane API at URL (e.g. https://127.0.0.1:8443)
  --api-ca FILE    PEM CA to verify the API's certificate with
  --timeout-ms N   per-endpoint timeout (default 5000)
  --json           one JSON document on stdout instead of the table

Exit status:
  0   every endpoint is encrypted with a verified certificate (or local)
  1   an endpoint is unreachable, or refused the TLS handshake (wrong CA, wrong host, old protocol)
  2   usage error
  4   every endpoint answered, but at least one is PLAIN TEXT or its certificate is not verified
  78  the config is invalid
`;

const LABEL: Record<EndpointStatus, string> = { tls: 'OK', local: 'OK', unverified: 'WARN', plain: 'WARN', failed: 'FAIL' };

export const run = defineCommand({
  name: 'doctor',
  help: HELP,
  positionals: false,
  options: {
    config: { type: 'string' },
    api: { type: 'string' },
    'api-ca': { type: 'string' },
    'timeout-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  handler: async ({ values, io }) => {
    if (!values.config) throw new UsageError('--config FILE is required (see --help)');
    const timeoutMs = values['timeout-ms'] === undefined ? 5000 : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError('--timeout-ms must be a positive integer');
    if (values.api !== undefined && !/^https?:\/\//.test(values.api)) throw new UsageError('--api must be an http:// or https:// URL');

    const config = await loadEngineConfig(values.config, io.env);
    const reports = await probeConfig(config, { timeoutMs, apiUrl: values.api, apiCaFile: values['api-ca'] });
    const failed = reports.filter((r) => r.status === 'failed');
    const exposed = reports.filter((r) => r.status === 'plain' || r.status === 'unverified');
    const code = failed.length > 0 ? DOCTOR_EXIT.failed : exposed.length > 0 ? DOCTOR_EXIT.plainText : DOCTOR_EXIT.ok;

    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ config: values.config, endpoints: reports, plainText: exposed.length, failed: failed.length, exitCode: code }, null, 2)}\n`,
      );
    } else {
      io.stdout.write(table(reports));
    }
    if (reports.length === 0) io.stderr.write('segmentloom doctor: the config names no network endpoint to check\n');
    for (const r of exposed) {
      io.stderr.write(
        `WARNING: ${r.name} at ${r.endpoint} is ${r.status === 'plain' ? 'PLAIN TEXT (not encrypted)' : 'encrypted but its certificate is NOT VERIFIED'}\n`,
      );
    }
    if (exposed.length > 0)
      io.stderr.write(`WARNING: ${exposed.length} endpoint(s) expose data in transit: Segmentloom promises TLS 1.2 or newer everywhere\n`);
    if (failed.length > 0) io.stderr.write(`segmentloom doctor: ${failed.length} endpoint(s) failed\n`);
    return code;
  },
});

function table(reports: EndpointReport[]): string {
  const rows = reports.map((r) => [LABEL[r.status], r.name, r.endpoint, r.protocol ?? (r.status === 'plain' ? 'none' : '-'), r.detail]);
  const header = ['STATUS', 'WHAT', 'ENDPOINT', 'TLS', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  return line(header) + rows.map(line).join('');
}
