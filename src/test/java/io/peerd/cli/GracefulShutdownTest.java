package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.testkit.MainProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real daemon process: the transfer in progress completes, the table is saved, exit 0.
 */
@Tag("peer")
class GracefulShutdownTest {

  @TempDir Path tmp;

  @Test
  void aDownloadInProgressAtSigtermCompletesAndTheTableIsSaved() throws Exception {
    Path share = Files.createDirectories(tmp.resolve("share"));
    byte[] data = new byte[48 * 1024 * 1024];
    new Random(2).nextBytes(data);
    Files.write(share.resolve("big.bin"), data);
    Path state = tmp.resolve("state");
    Files.writeString(
        tmp.resolve("p.json"),
        """
        {"name":"g","rest_port":0,"shared_dir":"share","state_dir":"state",
         "friends":["http://127.0.0.1:9"],"shutdown_grace_ms":20000}""");
    List<String> cmd = MainProcess.command("128m", "-conf", "p.json");
    Process p =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      String up = DaemonProcessTest.upLine(p);
      Matcher m = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)").matcher(up);
      assertTrue(m.find(), up);
      int port = Integer.parseInt(m.group(1));
      // The first scan hashes 48 MiB: wait until the file is served.
      long total = -1;
      for (int i = 0; i < 100 && total < 0; i++) {
        total = headLength(port);
        if (total < 0) {
          Thread.sleep(100);
        }
      }
      assertEquals(data.length, total);
      try (Socket s = new Socket("127.0.0.1", port)) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        int first = in.read(buf);
        String start = new String(buf, 0, first, StandardCharsets.ISO_8859_1);
        int bodyAt = start.indexOf("\r\n\r\n") + 4;
        assertTrue(start.startsWith("HTTP/1.1 200") && bodyAt >= 4, start);
        long got = first - bodyAt;
        // Mid-transfer (the client reads slowly, so most of the file is still to come): SIGTERM.
        p.destroy();
        Thread.sleep(500);
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got += n;
        }
        assertEquals(data.length, got, "the whole body arrived after SIGTERM");
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits after the transfer");
      assertEquals(0, p.exitValue());
      assertTrue(
          Files.readString(state.resolve("peers.json")).contains("http://127.0.0.1:9"),
          "table saved on exit");
    } finally {
      p.destroyForcibly();
    }
  }

  /** Content-Length of HEAD /files/big.bin, or -1 while it is not served yet. */
  static long headLength(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(
              "HEAD /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!resp.startsWith("HTTP/1.1 200")) {
        return -1;
      }
      Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(resp);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
  }
}
