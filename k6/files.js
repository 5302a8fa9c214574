// GET /files (the index from memory) and GET /files/{name} (a small shared file) on every peer.
//
// Against the compose network:   docker compose up -d && k6 run k6/files.js
// Against the local demo:        k6 run k6/files.js   (peers on localhost:8001-8003)
import http from 'k6/http';
import { check } from 'k6';

const PEERS = (__ENV.PEERS || 'http://localhost:8001,http://localhost:8002,http://localhost:8003').split(',');

export const options = {
  vus: Number(__ENV.VUS || 20),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    'http_req_duration{name:GET /files}': ['p(95)<20'],
    'http_req_duration{name:GET /files/{name}}': ['p(95)<50'],
    http_req_failed: ['rate<0.01'],
  },
};

export default function () {
  const peer = PEERS[Math.floor(Math.random() * PEERS.length)];
  const list = http.get(`${peer}/files`, { tags: { name: 'GET /files' } });
  check(list, { 'files 200': (r) => r.status === 200 });
  const files = list.json('files') || [];
  if (files.length === 0) {
    return;
  }
  const f = files[Math.floor(Math.random() * files.length)];
  // rest_url names the peer as it sees itself; go through the address we reached it at.
  const path = f.rest_url.substring(f.rest_url.indexOf('/files/'));
  const body = http.get(`${peer}${path}`, { tags: { name: 'GET /files/{name}' } });
  check(body, {
    'content 200': (r) => r.status === 200,
    'length matches': (r) => Number(r.headers['Content-Length']) === f.size,
    'etag is the sha256': (r) => r.headers['Etag'] === `"${f.checksum}"`,
  });
}
