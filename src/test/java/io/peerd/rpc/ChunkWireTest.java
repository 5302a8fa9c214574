package io.peerd.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.peerd.rpc.proto.FileChunk;
import io.vertx.core.buffer.Buffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ChunkWireTest {

  @Test
  void encodesExactlyTheBytesProtobufWould() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    long[] offsets = {0, 1, 127, 128, 16_383, 16_384, 1L << 31, (1L << 40) + 17, Long.MAX_VALUE};
    int[] seqs = {0, 1, 127, 128, 300_000, Integer.MAX_VALUE, -1};
    int[] sizes = {0, 1, 127, 128, 65_536, 1 << 20};
    for (int size : sizes) {
      byte[] data = new byte[size];
      for (int i = 0; i < size; i++) {
        data[i] = (byte) r.nextInt();
      }
      // A slice in the middle of a bigger buffer, as the streamer hands them out.
      Buffer big = Buffer.buffer(new byte[7]).appendBytes(data).appendBytes(new byte[5]);
      Buffer slice = big.slice(7, 7 + size);
      for (int seq : seqs) {
        for (long offset : offsets) {
          for (boolean withOffset : new boolean[] {true, false}) {
            FileChunk.Builder b =
                FileChunk.newBuilder().setData(ByteString.copyFrom(data)).setSeq(seq);
            if (withOffset) {
              b.setOffset(offset);
            }
            byte[] expected = b.build().toByteArray();
            byte[] ours = ChunkWire.encode(slice, seq, offset, withOffset).getBytes();
            assertArrayEquals(expected, ours, "size " + size + " seq " + seq + " offset " + offset);
            FileChunk back = FileChunk.parseFrom(ours);
            assertEquals(seq, back.getSeq());
            assertEquals(size, back.getData().size());
          }
        }
      }
    }
  }
}
