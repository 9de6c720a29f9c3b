package io.factorymeter.app.query;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One question to one view: an id or none, a range of window start times [from, to) in epoch ms,
 * and for alerts whether only open ones count. Travels between instances as query parameters.
 *
 * @param view the view
 * @param id the node, cluster, fleet or tenant, or null for all
 * @param from first window start, epoch ms, inclusive
 * @param to last window start, epoch ms, exclusive
 * @param openOnly alerts only: only those still open
 */
public record ViewQuery(View view, String id, long from, long to, boolean openOnly) {

  /** Every time there is. */
  public static final long EARLIEST = 0L;
  /** Beyond every time there is. */
  public static final long LATEST = Long.MAX_VALUE;

  /** The same question over every time retained. */
  public ViewQuery allTime() {
    return new ViewQuery(view, id, EARLIEST, LATEST, openOnly);
  }

  /** Whether this already asks for every time retained. */
  public boolean isAllTime() {
    return from == EARLIEST && to == LATEST;
  }

  /** As query parameters (for an instance that owns part of the view). */
  public Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("view", view.name());
    if (id != null) {
      p.put("id", id);
    }
    p.put("from", Long.toString(from));
    p.put("to", Long.toString(to));
    p.put("open", Boolean.toString(openOnly));
    return p;
  }

  /**
   * Reads {@link #parameters()} back.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static ViewQuery of(Map<String, String> p) {
    String view = p.get("view");
    if (view == null) {
      throw new IllegalArgumentException("parameter view is missing");
    }
    try {
      return new ViewQuery(View.valueOf(view), p.get("id"), Long.parseLong(p.getOrDefault("from", "0")),
          Long.parseLong(p.getOrDefault("to", Long.toString(LATEST))), Boolean.parseBoolean(p.get("open")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad internal view query " + p + ": " + e.getMessage(), e);
    }
  }
}
