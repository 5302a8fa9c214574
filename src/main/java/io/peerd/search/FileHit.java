package io.peerd.search;

/**
 * A file in a search answer, ours or a remote peer's. Fields a remote peer did not send are null
 * (strings) or -1 (numbers); nothing else about its JSON reaches the core.
 *
 * @param root the BEP 52 Merkle root (64 lowercase hex), null from a seed peer or for an empty file
 * @param magnet a link to the content at that peer, null when there is no root
 * @param partial a download still under way at that peer, which serves only its verified pieces
 */
public record FileHit(
    String name,
    long size,
    long mtime,
    String checksum,
    String extension,
    String type,
    String restUrl,
    String grpc,
    String root,
    String magnet,
    boolean partial) {

  /**
   * @param partial a download still under way at that peer: it serves only its verified pieces
   *     ({@code /content/{root}/have}); only root searches give such hits
   */
  public FileHit(
      String name,
      long size,
      long mtime,
      String checksum,
      String extension,
      String type,
      String restUrl,
      String grpc,
      String root,
      String magnet) {
    this(name, size, mtime, checksum, extension, type, restUrl, grpc, root, magnet, false);
  }
}
