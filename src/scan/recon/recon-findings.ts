import type { Evidence, Finding } from '../types.ts';

/**
 * Exposed documentation is not a vulnerability by itself, but it is the attacker's map: in the
 * article it turned a blind probe into a 22-endpoint target list in five seconds. Medium.
 */
export function docsFinding(docs: ReadonlyArray<{ path: string; evidence: Evidence }>): Finding {
  const [first] = docs;
  const more = docs.length > 1 ? ` (and ${docs.length - 1} more location${docs.length > 2 ? 's' : ''})` : '';
  return {
    rule: 'exposed-api-docs',
    severity: 'medium',
    title: `API documentation is readable without authentication at ${first!.path}${more}`,
    endpoint: `GET ${first!.path}`,
    evidence: docs.slice(0, 3).map((d) => d.evidence),
    remediation:
      'Do not publish API documentation on the listener agents and the network reach. Behind Gatehouse, either leave the documentation paths out of routes[] ' +
      '(a path no route matches gets 404 and is never forwarded) or keep their route strict (routes[].auth: strict, the default) so only authenticated agents read them; ' +
      'never give them a route with auth: public. Also switch off the framework\'s documentation endpoints in production builds.',
  };
}

/** A file that must never be served (.env, .git/config), recognised by its content. */
export function sensitiveFileFinding(file: { rule: string; severity: Finding['severity']; what: string }, path: string, evidence: Evidence): Finding {
  return {
    rule: file.rule,
    severity: file.severity,
    title: `Exposed ${file.what} at ${path}`,
    endpoint: `GET ${path}`,
    evidence: [evidence],
    remediation:
      'Remove the file from what the server serves and rotate every credential it contained. Behind Gatehouse only routed paths are forwarded: ' +
      'route the API prefix (routes[].path: "/api/*"), not the whole site ("/*"), so anything else is answered 404 by the gateway.',
  };
}
