import type { Config } from '../config/schema.ts';

export const DEMO_AGENT = 'demo-reader';
/** The audience demo tokens are issued for (RFC 8707 resource). */
export const DEMO_RESOURCE = 'https://demo.gatehouse.local/api';

/**
 * The configuration `npm start` uses when there is no gatehouse.yaml: the built-in demo upstream
 * behind one strict route, a read-only policy for the demo agent, and a small bucket so a burst
 * shows 429.
 */
export function demoConfigInput(upstreamUrl: string): Partial<Record<keyof Config, unknown>> {
  return {
    demo: true,
    routes: [
      { id: 'demo-api', path: '/api/*', upstream: upstreamUrl, websocket: true, resource: DEMO_RESOURCE },
    ],
    oauth: { resources: [{ uri: DEMO_RESOURCE }], defaultResource: DEMO_RESOURCE },
    policies: {
      rules: [
        { id: 'readers-may-read', agents: { labels: ['reader'] }, methods: ['GET', 'HEAD'], paths: ['/api/*'] },
      ],
    },
    rateLimit: { agents: { [DEMO_AGENT]: { rate: 5, burst: 10 } } },
  };
}

/** The curl lines printed at a demo start. */
export function demoInstructions(dataUrl: string, key: string, clientSecret?: string): string {
  const oauth = clientSecret === undefined ? [] : [
    `  Or without a long-lived key: its OAuth client secret (shown once) gets a 5-minute token:`,
    '',
    `    TOKEN=$(curl -s -u ${DEMO_AGENT}:${clientSecret} -d grant_type=client_credentials ${dataUrl}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `    curl -i -H "Authorization: Bearer $TOKEN" ${dataUrl}/api/agents      # 200, as a JWT`,
    '',
  ];
  return [
    '',
    '  Gatehouse demo is running: the built-in agent-platform API is behind the gateway.',
    '',
    `  Demo agent "${DEMO_AGENT}" (label: reader). Its API key, shown once:`,
    '',
    `    ${key}`,
    '',
    '  Try it:',
    `    curl -i ${dataUrl}/api/agents                                        # 401: no credential`,
    `    curl -i -H "Authorization: Bearer ${key}" ${dataUrl}/api/agents      # 200`,
    `    curl -i -H "Authorization: Bearer ${key}" -X POST -H 'content-type: application/json' \\`,
    `         -d '{"agent":"alpha","title":"x"}' ${dataUrl}/api/tasks            # 403: read-only agent`,
    `    for i in $(seq 15); do curl -s -o /dev/null -w '%{http_code} ' -H "Authorization: Bearer ${key}" ${dataUrl}/api/agents; done; echo   # 429s after the burst`,
    `    curl -s "${dataUrl}/api/search?query=%27%20OR%20%271%27%3D%271" -H "Authorization: Bearer ${key}"  # injection finds nothing`,
    '',
    ...oauth,
    '  Audit: npm run gatehouse -- audit tail     Verify: npm run gatehouse -- audit verify',
    '',
  ].join('\n');
}
