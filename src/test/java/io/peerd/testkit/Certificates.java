package io.peerd.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1, made with the JDK's own keytool (always there, unlike
 * openssl) and written as the PEM files a peer's {@code tls.cert} and {@code tls.key} take.
 */
public final class Certificates {

  /** The two PEM files; the certificate is also what a client trusts. */
  public record Pem(Path cert, Path key) {}

  private Certificates() {}

  public static Pem selfSigned(Path dir) throws Exception {
    Path store = dir.resolve("peer.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    "peer",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=127.0.0.1",
                    "-ext",
                    "SAN=IP:127.0.0.1",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    "changeit",
                    "-keypass",
                    "changeit"))
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(
          "keytool failed: "
              + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    Key key = ks.getKey("peer", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("peer");
    Pem pem = new Pem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    Files.writeString(pem.cert(), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(pem.key(), pem("PRIVATE KEY", key.getEncoded()));
    return pem;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
