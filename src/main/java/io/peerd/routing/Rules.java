package io.peerd.routing;

/**
 * The limits of one search, the same at every hop.
 *
 * @param fanout most neighbours a flooding peer forwards to (also caps summary matches)
 * @param walkers how many walkers the origin starts (walk and summary modes)
 * @param wanted results after which a walker that found them stops
 * @param checkEvery a walker asks the origin whether to go on every this many hops (0: never)
 */
public record Rules(int fanout, int walkers, int wanted, int checkEvery) {

  public Rules {
    if (fanout < 0 || walkers < 1 || wanted < 1 || checkEvery < 0) {
      throw new IllegalArgumentException(
          "bad routing rules: fanout="
              + fanout
              + " walkers="
              + walkers
              + " wanted="
              + wanted
              + " checkEvery="
              + checkEvery);
    }
  }
}
