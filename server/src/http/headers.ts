// Security headers (helmet). HSTS and CSP's upgrade-insecure-requests go only on responses served over
// HTTPS: on plain HTTP (`npm start` opened by the machine's LAN address) they make the browser fetch
// every script and stylesheet over https://, which nothing answers, and the page stays blank.
import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * helmet's defaults over HTTPS; over HTTP the same without Strict-Transport-Security (RFC 6797 §7.2:
 * not for plain HTTP) and without upgrade-insecure-requests. Whether a request came over HTTPS is
 * req.secure: the connection, or X-Forwarded-Proto from a proxy that TRUST_PROXY trusts.
 */
export function securityHeaders(): RequestHandler {
  const overHttps = helmet();
  const overHttp = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}
