// Searches with varying queries against a 3-peer network, spread over the three peers.
//
// Against the compose network:   docker compose up -d && k6 run k6/search.js
// Against the local demo:        (three `java -jar target/peer.jar -conf conf/peerN.json`) k6 run k6/search.js
// Other peers:                   k6 run -e PEERS=http://h1:8001,http://h2:8002 k6/search.js
// A routing mode (README, "Search at scale"):  k6 run -e MODE=summary k6/search.js
import http from 'k6/http';
import { check } from 'k6';
import { Trend } from 'k6/metrics';

const PEERS = (__ENV.PEERS || 'http://localhost:8001,http://localhost:8002,http://localhost:8003').split(',');
const MODE = __ENV.MODE || '';  // flood, walk or summary; empty: each peer's search_mode
if (MODE && !['flood', 'walk', 'summary'].includes(MODE)) {
  throw new Error(`MODE must be flood, walk or summary, got ${MODE}`);
}
const QUERIES = ['hello', '.txt', 'manual', 'guide', 'readme', 'zzz-no-match', 'p2', '.md', 'songs', 'common'];

const peersAnswered = new Trend('search_peers_answered');

export const options = {
  scenarios: {
    searches: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 200),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<50', 'p(99)<200'],
    checks: ['rate>0.99'],
  },
};

export default function () {
  const peer = PEERS[Math.floor(Math.random() * PEERS.length)];
  const query = QUERIES[Math.floor(Math.random() * QUERIES.length)];
  const mode = MODE ? `&mode=${MODE}` : '';
  // Walkers go one peer per hop: they get the peer's walk_ttl, not the flood's ttl=2.
  const ttl = MODE === 'walk' || MODE === 'summary' ? '' : '&ttl=2';
  const res = http.get(`${peer}/search?query=${encodeURIComponent(query)}&fanout=3${ttl}&timeout_ms=1000${mode}`, {
    tags: { name: 'GET /search', mode: MODE || 'default' },
  });
  const ok = check(res, {
    'status 200': (r) => r.status === 200,
    'has results': (r) => Array.isArray(r.json('results')),
    'not partial': (r) => r.json('partial') === false,
  });
  if (ok) {
    peersAnswered.add(res.json('peers_answered'));
  }
}
