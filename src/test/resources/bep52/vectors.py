# BEP 52 test vectors for MerkleTest, from a BitTorrent v2 implementation (libtorrent 2.0.8,
# Debian's python3-libtorrent). Each argument is SIZE:SEED:PIECE_SIZE; the file's bytes are
# ((i * 7 + i // 251 + seed) & 0xff), which MerkleTest makes again. Run with Debian's python:
#   /usr/bin/python3 vectors.py 1:1:16384 16385:4:16384 ... > vectors.txt
import libtorrent as lt, sys, os
def content(size, seed):
    return bytes(((i * 7 + i // 251 + seed) & 0xff) for i in range(size))
def v2(path, piece_size):
    fs = lt.file_storage(); lt.add_files(fs, path)
    t = lt.create_torrent(fs, piece_size, flags=lt.create_torrent.v2_only)
    lt.set_piece_hashes(t, os.path.dirname(path))
    e = t.generate(); ft = e[b'info'][b'file tree']
    root = ft[os.path.basename(path).encode()][b''].get(b'pieces root')
    layer = e.get(b'piece layers', {}).get(root, b'') if root else b''
    return (root.hex() if root else None), [layer[i:i+32].hex() for i in range(0, len(layer), 32)]
for spec in sys.argv[1:]:
    size, seed, ps = map(int, spec.split(':'))
    p = f'/tmp/bep52-v-{size}-{seed}.bin'
    open(p, 'wb').write(content(size, seed))
    root, layer = v2(p, ps)
    print(f'{size} {seed} {ps} {root} {len(layer)} {",".join(layer)}')
