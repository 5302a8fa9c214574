package io.peerd.downloads;

/**
 * One download's lasting facts, as the database holds them. What changes by the second (rate, what
 * each source does) lives beside it in the queue, not here.
 *
 * @param key two asks for the same content share it ({@link Ask#key})
 * @param size -1 until the lookup tells it
 * @param root null until the lookup tells it (a name asked with its SHA-256)
 * @param reason why it is not moving, or how it ended; "" when there is nothing to say
 * @param bytesDone verified bytes
 * @param file once done: its name in shared_dir
 */
public record Download(
    String id,
    Ask ask,
    String key,
    String name,
    long size,
    String root,
    String sha256,
    State state,
    String reason,
    long bytesDone,
    long created,
    long updated,
    String file) {

  Download in(State next, String why, long now) {
    return new Download(
        id, ask, key, name, size, root, sha256, next, why, bytesDone, created, now, file);
  }

  Download resolved(String n, long s, String r, String sha, long now) {
    return new Download(id, ask, key, n, s, r, sha, state, reason, bytesDone, created, now, file);
  }

  Download progress(long done) {
    return new Download(
        id, ask, key, name, size, root, sha256, state, reason, done, created, updated, file);
  }

  Download finished(String at, long now) {
    return new Download(
        id, ask, key, name, size, root, sha256, State.DONE, "", size, created, now, at);
  }
}
