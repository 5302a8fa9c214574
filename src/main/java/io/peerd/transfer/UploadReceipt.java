package io.peerd.transfer;

/**
 * What a peer answers for an upload it took: the file's shared name (upload folder included), its
 * size and SHA-256, and whether the index already shows it (false: the file is in place but that
 * rescan failed; the next one retries).
 */
public record UploadReceipt(String name, long size, String sha256, boolean indexed) {}
