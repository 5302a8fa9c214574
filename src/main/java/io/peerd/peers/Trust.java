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
   * Learned from a verified record: an address of that id, authenticated only once it proves it.
   */
  public static Trust of(PeerRecord record) {
    return new Trust(record.id(), false, record.secureUrl(), false, null, record);
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

  Trust withRecord(PeerRecord newer) {
    return new Trust(id, configured, newer.secureUrl(), authenticated, problem, newer);
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
