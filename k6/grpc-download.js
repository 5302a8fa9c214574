// gRPC FileTransfer/Download (server streaming) of a shared file, with k6's gRPC module.
// Needs k6 >= 0.49 (k6/net/grpc Stream). The proto is the repository's own.
//
// Against the compose network:   docker compose up -d && k6 run k6/grpc-download.js
//                                (gRPC on localhost:50051; the REST port 8001 serves gRPC too)
// Against the local demo:        k6 run -e TARGET=localhost:8001 -e FILE=hello1.txt k6/grpc-download.js
import grpc from 'k6/net/grpc';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';

const TARGET = __ENV.TARGET || 'localhost:50051';
const FILE = __ENV.FILE || 'samples/hello1.txt';

const client = new grpc.Client();
client.load(['../src/main/proto'], 'p2p.proto');

const bytesReceived = new Counter('download_bytes');
const downloadTime = new Trend('download_duration', true);

export const options = {
  vus: Number(__ENV.VUS || 5),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    checks: ['rate>0.99'],
    download_duration: ['p(95)<500'],
  },
};

export default () => {
  if (__ITER === 0) {
    client.connect(TARGET, { plaintext: true, timeout: '5s' });
  }
  const started = Date.now();
  let bytes = 0;
  let chunks = 0;
  let failed = null;
  const stream = new grpc.Stream(client, 'p2p.FileTransfer/Download');
  stream.on('data', (chunk) => {
    chunks += 1;
    // bytes fields arrive base64-encoded in k6's JSON view of the message.
    bytes += chunk.data ? Math.floor((chunk.data.length * 3) / 4) : 0;
  });
  stream.on('error', (err) => {
    failed = err;
  });
  stream.on('end', () => {
    downloadTime.add(Date.now() - started);
    bytesReceived.add(bytes);
    check(null, {
      'no error status': () => failed === null,
      'received chunks': () => chunks > 0,
    });
  });
  stream.write({ filename: FILE, offset: 0, length: 0 });
  stream.end();
};
