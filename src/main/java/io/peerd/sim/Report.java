package io.peerd.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The simulator's results as a Markdown table, a CSV, and an SVG plot of messages vs success. */
public final class Report {

  private Report() {}

  public static String markdown(List<Simulator.Result> rows) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| peers | mode | ttl | success | msgs/query | peers visited | duplicate msgs | checks | hops p50/p99 | latency p50/p99 ms | busiest peer msgs/query |\n");
    b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Simulator.Result r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %d | %.1f %% | %,.0f | %,.0f | %,.0f | %,.0f | %s | %s | %.2f |%n",
              r.nodes(),
              r.mode().wire(),
              r.ttl(),
              100 * r.success(),
              r.messages(),
              r.visited(),
              r.duplicates(),
              r.checks(),
              r.hopsP50() < 0 ? "-" : r.hopsP50() + " / " + r.hopsP99(),
              r.latencyP50Ms() < 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f / %.0f", r.latencyP50Ms(), r.latencyP99Ms()),
              r.busiestPerQuery()));
    }
    return b.toString();
  }

  /** Per size: how many times fewer messages each mode sends than flooding. */
  public static String ratios(List<Simulator.Result> rows) {
    Map<Integer, Map<String, Simulator.Result>> bySize = bySize(rows);
    StringBuilder b = new StringBuilder();
    for (var e : bySize.entrySet()) {
      Simulator.Result flood = e.getValue().get("flood");
      if (flood == null) {
        continue;
      }
      for (Simulator.Result r : e.getValue().values()) {
        if (r != flood) {
          double ratio = flood.messages() / Math.max(1e-9, r.messages());
          b.append(
              String.format(
                  Locale.ROOT,
                  "%,d peers: flood sends %s the messages of %s (success %.1f %% vs %.1f %% for flood)%n",
                  e.getKey(),
                  String.format(Locale.ROOT, ratio < 10 ? "%.1fx" : "%.0fx", ratio),
                  r.mode().wire(),
                  100 * r.success(),
                  100 * flood.success()));
        }
      }
    }
    return b.toString();
  }

  public static String csv(List<Simulator.Result> rows) {
    StringBuilder b =
        new StringBuilder(
            "peers,mode,ttl,queries,success,messages_per_query,visited_per_query,"
                + "duplicates_per_query,checks_per_query,hops_p50,hops_p99,latency_p50_ms,latency_p99_ms,busiest_msgs_per_query\n");
    for (Simulator.Result r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%d,%d,%.4f,%.2f,%.2f,%.2f,%.2f,%d,%d,%.1f,%.1f,%.3f%n",
              r.nodes(),
              r.mode().wire(),
              r.ttl(),
              r.queries(),
              r.success(),
              r.messages(),
              r.visited(),
              r.duplicates(),
              r.checks(),
              r.hopsP50(),
              r.hopsP99(),
              r.latencyP50Ms(),
              r.latencyP99Ms(),
              r.busiestPerQuery()));
    }
    return b.toString();
  }

  /** Messages per query (log scale) against success, one line per mode through the sizes. */
  public static String svg(List<Simulator.Result> rows, String title) {
    int w = 760;
    int h = 460;
    int left = 70;
    int right = 150;
    int top = 40;
    int bottom = 60;
    double maxMsgs = 10;
    for (Simulator.Result r : rows) {
      maxMsgs = Math.max(maxMsgs, r.messages());
    }
    int decades = (int) Math.ceil(Math.log10(maxMsgs));
    double pw = w - left - right;
    double ph = h - top - bottom;
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            w,
            h,
            w,
            h));
    b.append(
        String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n",
            left,
            escape(title)));
    for (int d = 0; d <= decades; d++) {
      double x = left + pw * d / decades;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
              x,
              top,
              x,
              h - bottom));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              x,
              h - bottom + 18,
              String.format(Locale.ROOT, "%,d", (long) Math.pow(10, d))));
    }
    // Success is often 90-100 % for every mode: start the axis just below the lowest point.
    double minSuccess = 1;
    for (Simulator.Result r : rows) {
      minSuccess = Math.min(minSuccess, r.success());
    }
    double yMin = Math.max(0, Math.floor((minSuccess - 0.01) * 20) / 20);
    for (int t = 0; t <= 5; t++) {
      double value = yMin + (1 - yMin) * t / 5;
      double y = top + ph * (1 - t / 5.0);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              left,
              y,
              w - right,
              y));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f %%</text>%n",
              left - 6,
              y + 4,
              100 * value));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">messages per query (log scale)</text>%n",
            left + pw / 2,
            h - 16));
    b.append(
        String.format(
            Locale.ROOT,
            "<text transform=\"translate(14,%.1f) rotate(-90)\" text-anchor=\"middle\">queries answered</text>%n",
            top + ph / 2));
    Map<String, List<Simulator.Result>> byMode = new TreeMap<>();
    for (Simulator.Result r : rows) {
      byMode.computeIfAbsent(r.mode().wire(), k -> new ArrayList<>()).add(r);
    }
    int legend = 0;
    for (var e : byMode.entrySet()) {
      String colour =
          switch (e.getKey()) {
            case "flood" -> "#d62728";
            case "walk" -> "#1f77b4";
            default -> "#2ca02c";
          };
      StringBuilder path = new StringBuilder();
      int k = 0;
      for (Simulator.Result r : e.getValue()) {
        double x = left + pw * Math.log10(Math.max(1, r.messages())) / decades;
        double y = top + ph * (1 - (r.success() - yMin) / (1 - yMin));
        path.append(path.length() == 0 ? "M" : " L")
            .append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        b.append(
            String.format(
                Locale.ROOT,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n",
                x,
                y,
                colour));
        // Points of one mode often sit close together: stack their labels below (flood: above).
        double ly =
            e.getKey().equals("flood")
                ? y - 8
                : y + 16 + 12 * k + (e.getKey().equals("summary") ? 40 : 0);
        b.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"10\">%s N=%,d</text>%n",
                x - 4,
                ly,
                colour,
                e.getKey(),
                r.nodes()));
        k++;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
              path,
              colour));
      int ly = top + 10 + 20 * legend++;
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>%n",
              w - right + 16,
              ly,
              colour));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>%n",
              w - right + 36,
              ly + 6,
              e.getKey()));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static Map<Integer, Map<String, Simulator.Result>> bySize(List<Simulator.Result> rows) {
    Map<Integer, Map<String, Simulator.Result>> out = new TreeMap<>();
    for (Simulator.Result r : rows) {
      out.computeIfAbsent(r.nodes(), k -> new java.util.LinkedHashMap<>()).put(r.mode().wire(), r);
    }
    return out;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
