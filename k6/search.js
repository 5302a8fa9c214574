// Searches with varying queries against a 3-peer network, spread over the three peers.
//
// Against the compose network:   docker compose up -d && k6 run k6/search.js
// Against the local demo:        (three `java -jar target/peer.jar -conf conf/peerN.json`) k6 run k6/search.js
// Other peers:                   k6 run -e PEERS=http://h1:8001,http://h2:8002 k6/search.js
import http from 'k6/http';
import { check } from 'k6';
import { Trend } from 'k6/metrics';

const PEERS = (__ENV.PEERS || 'http://localhost:8001,http://localhost:8002,http://localhost:8003').split(',');
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
  const res = http.get(`${peer}/search?query=${encodeURIComponent(query)}&fanout=3&ttl=2&timeout_ms=1000`, {
    tags: { name: 'GET /search' },
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
