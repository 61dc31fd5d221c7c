// Configuration errors live with the other errors in src/core; this path stays for existing imports.
export { ConfigError, formatField, issueLines, safeIssueMessage, type ConfigIssue } from '../core/errors-config.js';
