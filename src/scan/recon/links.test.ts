import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractLinks, robotsPaths } from './links.ts';

const PAGE = new URL('http://127.0.0.1:8080/api/agents');

test('JSON: absolute paths and same-origin URLs, wherever they are nested; free text and other origins are not links', () => {
  const body = JSON.stringify({
    next: '/api/agents?page=2',
    _links: { self: { href: 'http://127.0.0.1:8080/api/agents/7' }, ext: { href: 'https://evil.example/x' } },
    items: [{ log: 'permission denied: /var/log/nginx', icon: '/static/a.png', proto: '//cdn.example/x' }],
  });
  assert.deepEqual(extractLinks(body, 'application/json', PAGE).sort(), ['/api/agents', '/api/agents/7']);
});

test('HTML: href, src and action, relative to the page; assets and scripts skipped', () => {
  const html = '<a href="runs">r</a><form action="/api/login"></form><img src="/logo.png"><a href="javascript:alert(1)">x</a><a href="mailto:a@b">m</a><a href="https://evil.example/">e</a>';
  assert.deepEqual(extractLinks(html, 'text/html', PAGE).sort(), ['/api/login', '/api/runs']);
});

test('a body that is neither HTML nor JSON yields nothing', () => {
  assert.deepEqual(extractLinks('see /api/secret for details', 'text/plain', PAGE), []);
  assert.deepEqual(extractLinks('{broken', 'application/json', PAGE), []);
});

test('robots.txt Allow/Disallow paths, wildcards cut', () => {
  assert.deepEqual(robotsPaths('User-agent: *\nDisallow: /internal-admin\nAllow: /public/*.json\nDisallow: /\n# Disallow: /commented'), ['/internal-admin', '/public/']);
});
