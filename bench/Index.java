// Indexing cost in one JVM, repeated so the JIT has settled: the peer's one-read SHA-256 and Merkle
// root (Sha256.withTree, what a scan runs) against a plain MessageDigest loop over the same file,
// the JDK's own SHA-256 limit for one pass. Run from the repository:
//   java -cp target/peer.jar bench/Index.java FILE [ROUNDS]
// Prints one line per measurement: "<what> <ms>".
import io.peerd.index.Merkle;
import io.peerd.index.Sha256;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

public class Index {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int pieceSize = Merkle.defaultPieceSize(Files.size(file));
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      Sha256.withTree(file, pieceSize);
      System.out.println("withTree " + (System.nanoTime() - t0) / 1_000_000);
      t0 = System.nanoTime();
      plain(file);
      System.out.println("plainDigest " + (System.nanoTime() - t0) / 1_000_000);
    }
  }

  /** One SHA-256 pass and nothing else: 1 MiB reads into one heap array. */
  static void plain(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch = FileChannel.open(file)) {
      while (ch.read(buf) >= 0) {
        md.update(buf.array(), 0, buf.position());
        buf.clear();
      }
    }
    md.digest();
  }
}
