package io.peerd.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of an identity: both ends of a peer link present their own self-signed certificate
 * and take the other's as it is. Nobody's certificate authority vouches for a peer; the caller
 * checks the presented certificate's id against the id it expected ({@link #presented}). The
 * handshake still proves the other side holds the certificate's key.
 */
public final class Tls {

  private static final String ALIAS = "peerd";

  private Tls() {}

  /** Presents {@code identity}'s certificate as server and as client, whatever is asked. */
  public static X509ExtendedKeyManager keyManager(Identity identity) {
    X509Certificate[] chain = {identity.certificate()};
    PrivateKey key = identity.privateKey();
    return new X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
      }

      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
        return ALIAS;
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ALIAS;
      }

      @Override
      public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine e) {
        return ALIAS;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
      }
    };
  }

  /**
   * Takes any certificate the other side proves it holds the key of: the id check comes after the
   * handshake, against the peer the caller meant to reach.
   */
  public static X509ExtendedTrustManager anyCertificate() {
    return new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }

  /**
   * The id of the certificate the other side presented, or null when it presented none (a browser,
   * curl, a plain connection).
   */
  public static PeerId presented(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      return presented(List.of(session.getPeerCertificates()));
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** The id of the first certificate of a chain, or null for an empty one. */
  public static PeerId presented(List<? extends Certificate> chain) {
    if (chain == null || chain.isEmpty()) {
      return null;
    }
    try {
      return PeerId.of(chain.get(0).getEncoded());
    } catch (CertificateEncodingException e) {
      return null;
    }
  }

  /**
   * What the other side of a link presented instead of the id expected, in the words errors use.
   */
  public static String mismatch(PeerId expected, PeerId presented) {
    return "expected "
        + expected
        + ", presented "
        + (presented == null ? "no certificate" : presented.toString());
  }
}
