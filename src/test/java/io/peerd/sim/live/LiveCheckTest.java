package io.peerd.sim.live;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.routing.Mode;
import io.peerd.sim.Report;
import io.peerd.sim.Simulator;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live check on 24 real peers in this JVM: every mode finds what it should, walkers and
 * summaries cost fewer messages than flooding as the peers' own counters count them, and the
 * simulator's prediction for the same graph and files is close to what the daemon did.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class LiveCheckTest {

  @TempDir Path tmp;

  @Test
  void realPeersBehaveAsTheSimulatorPredicts(Vertx vertx) {
    LiveCheck check =
        new LiveCheck(
            vertx,
            new LiveCheck.Settings(
                24,
                4,
                6,
                30,
                List.of(Mode.FLOOD, Mode.WALK, Mode.SUMMARY),
                30,
                0.06,
                3,
                32,
                5,
                tmp));
    LiveCheck.Outcome out = await(check.run(), Duration.ofMinutes(3));

    String report = Report.markdown(out.live()) + "\n" + Report.markdown(out.simulated());
    Simulator.Result flood = out.live().get(0);
    Simulator.Result walk = out.live().get(1);
    Simulator.Result summary = out.live().get(2);
    assertEquals(Mode.FLOOD, flood.mode());
    assertTrue(flood.success() >= 0.9 && walk.success() >= 0.8 && summary.success() >= 0.9, report);
    assertTrue(walk.messages() < flood.messages(), report);
    assertTrue(summary.messages() < walk.messages(), report);
    assertTrue(walk.checks() > 0, "walkers checked with their origin\n" + report);
    for (int i = 0; i < 3; i++) {
      double live = out.live().get(i).messages();
      double sim = out.simulated().get(i).messages();
      assertTrue(live < 2 * sim && sim < 2 * live, "live and simulated within 2x\n" + report);
    }
  }
}
