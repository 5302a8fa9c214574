package io.peerd.index;

/**
 * What a shared-file name may be: a relative, '/'-separated path inside shared_dir. Lookups go
 * through the index (only indexed names are ever opened), so this is the first fence, not the only
 * one; it exists to answer "bad name" distinctly from "no such file".
 */
public final class Names {

  public static final int MAX_LENGTH = 1024;
  static final int MAX_SEGMENT = 255;

  private Names() {}

  /**
   * @return null when the name is acceptable, else the reason it is not
   */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "empty name";
    }
    if (name.length() > MAX_LENGTH) {
      return "name longer than " + MAX_LENGTH + " characters";
    }
    if (name.startsWith("/")) {
      return "absolute paths are not allowed";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == 0) {
        return "NUL byte in name";
      }
      if (c == '\\') {
        return "backslashes are not allowed";
      }
      if (c < 0x20 || c == 0x7f) {
        return "control character in name";
      }
    }
    if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
      return "drive letters are not allowed";
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty()) {
        return "empty path segment";
      }
      if (segment.equals("..") || segment.equals(".")) {
        return "'.' and '..' segments are not allowed";
      }
      if (segment.length() > MAX_SEGMENT) {
        return "path segment longer than " + MAX_SEGMENT + " characters";
      }
    }
    return null;
  }

  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /** Hidden files and folders (dot-files) are never shared: editors and VCS keep secrets there. */
  public static boolean isHidden(String segment) {
    return segment.startsWith(".");
  }

  public static String extension(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    return dot > slash + 1 ? name.substring(dot).toLowerCase(java.util.Locale.ROOT) : "";
  }
}
