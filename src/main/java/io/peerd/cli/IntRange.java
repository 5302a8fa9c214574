package io.peerd.cli;

/** An option value like {@code 5-50} or {@code 7} (a range of one). */
record IntRange(int min, int max) {

  /**
   * @throws IllegalArgumentException when the text is not "N" or "N-M" with 0 <= N <= M
   */
  static IntRange parse(String text) {
    String[] parts = text.trim().split("-", -1);
    try {
      int min = Integer.parseInt(parts[0].trim());
      int max = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : min;
      if (parts.length > 2 || min < 0 || max < min) {
        throw new NumberFormatException();
      }
      return new IntRange(min, max);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected N or N-M with 0 <= N <= M, got '" + text + "'");
    }
  }
}
