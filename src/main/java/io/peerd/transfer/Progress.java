package io.peerd.transfer;

/**
 * Told how a transfer moves, on the event loop that moves it: once where it starts (a resumed
 * download starts at the bytes it already has), then of every piece of bytes.
 */
public interface Progress {

  Progress NONE =
      new Progress() {
        @Override
        public void start(long from) {}

        @Override
        public void moved(long bytes) {}
      };

  void start(long from);

  void moved(long bytes);
}
