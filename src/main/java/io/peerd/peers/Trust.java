package io.peerd.peers;

import io.peerd.identity.PeerId;
import io.peerd.identity.PeerRecord;

/**
 * What this peer believes about another's identity. Immutable, like {@link PeerState}.
 *
 * @param id the id the peer must prove: pinned in the config, learned on first authenticated
 *     contact, or from a signed record; null while unknown
 * @param configured the id came from the config ({@code ID@URL}): the peer is used only once it
 *     proves it
 * @param secureUrl where its secure port is, from its {@code /health} or a signed record
 * @param authenticated its last secure contact presented {@code id}
 * @param problem why it is not used (an identity mismatch, no secure port while pinned), or null
 * @param record the newest signed record of {@code id} heard, passed on by peer exchange
 */
public record Trust(
    PeerId id,
    boolean configured,
    String secureUrl,
    boolean authenticated,
    String problem,
    PeerRecord record) {

  public static final Trust NONE = new Trust(null, false, null, false, null, null);

  public static Trust pinned(PeerId id) {
    return new Trust(id, true, null, false, null, null);
  }

  /**
   * Heard in a verified record: a hint, not a binding. The record proves its signer wrote it, not
   * that the signer answers at the URL it names (anyone may sign any URL), so the peer is bound
   * only by what its own URL's {@code /health} names and its secure port then proves.
   */
  public static Trust hint(PeerRecord record) {
    return new Trust(null, false, null, false, null, record);
  }

  Trust proved(PeerId presented, String secure, PeerRecord newer) {
    return new Trust(presented, configured, secure, true, null, newer != null ? newer : record);
  }

  Trust refused(String why) {
    return new Trust(id, configured, secureUrl, false, why, record);
  }

  Trust unauthenticated(String why) {
    return new Trust(id, configured, null, false, why, record);
  }

  /**
   * A newer record of the bound id. A new secure URL in it is where the id says it is now; calls go
   * there, and must find the id there, but it is not proved until a probe has.
   */
  Trust withRecord(PeerRecord newer) {
    if (id == null) {
      return new Trust(null, configured, secureUrl, authenticated, problem, newer);
    }
    boolean moved = newer.secureUrl() != null && !newer.secureUrl().equals(secureUrl);
    return new Trust(
        id,
        configured,
        moved ? newer.secureUrl() : secureUrl,
        authenticated && !moved,
        problem,
        newer);
  }

  /**
   * An id is known (pinned, proved once, signed for, or saved): it is the only one accepted from
   * now on. A claim in a plain {@code /health} answer never gets here unproved.
   */
  public boolean bound() {
    return id != null;
  }

  /** Restored from the saved table: the id it proved before, to be proved again. */
  public static Trust saved(PeerId id) {
    return id == null ? NONE : new Trust(id, false, null, false, null, null);
  }
}
