// A mixed day on the network: mostly searches, some file lists, a few status and health calls.
//
// Against the compose network:   docker compose up -d && k6 run k6/mixed.js
// Against the local demo:        k6 run k6/mixed.js   (peers on localhost:8001-8003)
import http from 'k6/http';
import { check, group } from 'k6';

const PEERS = (__ENV.PEERS || 'http://localhost:8001,http://localhost:8002,http://localhost:8003').split(',');
const QUERIES = ['hello', '.txt', 'manual', 'guide', 'zzz', 'p3'];

export const options = {
  stages: [
    { duration: '10s', target: 10 },
    { duration: '40s', target: 30 },
    { duration: '10s', target: 0 },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:search}': ['p(95)<50'],
    'http_req_duration{kind:read}': ['p(95)<20'],
  },
};

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export default function () {
  const peer = pick(PEERS);
  const roll = Math.random();
  if (roll < 0.6) {
    group('search', () => {
      const r = http.get(`${peer}/search?query=${pick(QUERIES)}&ttl=2`, { tags: { kind: 'search', name: 'GET /search' } });
      check(r, { 'search 200': (x) => x.status === 200 });
    });
  } else if (roll < 0.85) {
    const r = http.get(`${peer}/files`, { tags: { kind: 'read', name: 'GET /files' } });
    check(r, { 'files 200': (x) => x.status === 200 });
  } else if (roll < 0.95) {
    const r = http.get(`${peer}/status`, { tags: { kind: 'read', name: 'GET /status' } });
    check(r, { 'status 200': (x) => x.status === 200 });
  } else {
    const r = http.get(`${peer}/health`, { tags: { kind: 'read', name: 'GET /health' } });
    check(r, { 'health ok': (x) => x.json('status') === 'ok' });
  }
}
