/**
 * TLS 1.2 cipher suites the API offers: forward-secret key exchange (ECDHE) with an AEAD cipher
 * only. OpenSSL's defaults also accept static-RSA key exchange (no forward secrecy: a stolen server
 * key decrypts recorded sessions), CBC with SHA-1, ARIA and CCM8 (a short tag). TLS 1.3's suites
 * are all ECDHE + AEAD and stay as OpenSSL sets them.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');
