package io.factorymeter.app.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Where the query API's answers come from: {@link QueryRouter} across instances, or one set of stores in a test. */
public interface ViewSource {

  /** The answer of the instance that owns {@code q.id()}. */
  List<ObjectNode> fromOwner(ViewQuery q);

  /** The answers of every instance holding part of {@code q.view()}, joined. */
  List<ObjectNode> fromAll(ViewQuery q);

  /** This instance's stores alone. */
  LocalViews local();

  /** The question cannot be answered now; asking again later may succeed (HTTP 503). */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message) {
      super(message);
    }
  }
}
