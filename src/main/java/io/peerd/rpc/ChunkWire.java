package io.peerd.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.WireFormat;
import java.nio.ByteBuffer;

/**
 * A {@code FileChunk} message encoded around the file's bytes instead of through them.
 *
 * <p>Why: protobuf's encoder copies every byte of {@code data} into a fresh (zeroed) array, and a
 * download is almost nothing but {@code data}. Here the few bytes of tags, lengths, {@code seq} and
 * {@code offset} go into small buffers and the file's bytes are referenced, not copied. The bytes
 * on the wire are exactly protobuf's (canonical proto3: fields in number order, zero values left
 * out), which {@code ChunkWireTest} checks against the generated encoder.
 */
final class ChunkWire {

  private static final int DATA_TAG = 1 << 3 | 2;
  private static final int SEQ_TAG = 2 << 3;
  private static final int OFFSET_TAG = 3 << 3;

  /** gRPC's message prefix: a compressed flag and a 4-byte length. */
  static final int PREFIX = 5;

  /** The prefix, the data tag and its length (a varint of at most 5 bytes). */
  private static final int HEAD = PREFIX + 6;

  /** seq (an int32 varint, ten bytes when negative) and offset (ten at most), with their tags. */
  private static final int TAIL = 22;

  private ChunkWire() {}

  static GrpcMessage message(Buffer data, int seq, long offset, boolean withOffset) {
    return GrpcMessage.message(
        "identity", WireFormat.PROTOBUF, encode(data, seq, offset, withOffset));
  }

  static Buffer encode(Buffer data, int seq, long offset, boolean withOffset) {
    return BufferInternal.buffer(compose(data, seq, offset, withOffset, false));
  }

  /**
   * The message with gRPC's 5-byte length prefix in front (uncompressed), ready for the HTTP/2
   * stream: what Vert.x's gRPC server would send, without its copy of the whole message.
   */
  static Buffer framed(Buffer data, int seq, long offset, boolean withOffset) {
    return BufferInternal.buffer(compose(data, seq, offset, withOffset, true));
  }

  private static ByteBuf compose(
      Buffer data, int seq, long offset, boolean withOffset, boolean prefixed) {
    ByteBuf body = ((BufferInternal) data).getByteBuf();
    int length = body.readableBytes();
    ByteBuf head;
    ByteBuf tail;
    if (body.isDirect()) {
      // The file's bytes are in direct memory: so are the few around them, or the whole message
      // would not be direct and Netty would copy it for the socket. Memory the JDK frees with the
      // buffer: Vert.x hands Netty these bytes unreleasable, so a pooled buffer would never go
      // back.
      ByteBuf room = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(HEAD + TAIL));
      head = room.slice(0, HEAD).clear();
      tail = room.slice(HEAD, TAIL).clear();
    } else {
      head = Unpooled.buffer(HEAD, HEAD);
      tail = Unpooled.buffer(TAIL, TAIL);
    }
    if (prefixed) {
      head.writerIndex(PREFIX);
    }
    if (length > 0) {
      head.writeByte(DATA_TAG);
      varint(head, length);
    }
    if (seq != 0) {
      tail.writeByte(SEQ_TAG);
      // int32: a negative value is sign-extended to ten bytes, as protobuf does.
      varint(tail, seq);
    }
    if (withOffset && offset != 0) {
      tail.writeByte(OFFSET_TAG);
      varint(tail, offset);
    }
    if (prefixed) {
      int message = head.readableBytes() - PREFIX + length + tail.readableBytes();
      head.setByte(0, 0); // not compressed
      head.setInt(1, message);
    }
    CompositeByteBuf all = Unpooled.compositeBuffer(3);
    all.addComponents(true, head, length > 0 ? body : Unpooled.EMPTY_BUFFER, tail);
    return all;
  }

  private static void varint(ByteBuf out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }
}
