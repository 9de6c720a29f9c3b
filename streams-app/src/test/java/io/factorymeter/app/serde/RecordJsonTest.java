package io.factorymeter.app.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.factorymeter.schema.Alert;
import io.factorymeter.schema.AlertStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

  @Test
  void optionalTimestampsAreIsoStringsOrNullAndOptionalNumbersPlain() {
    Alert resolved = new Alert("n1", "c1", "NODE_SILENT", AlertStatus.RESOLVED, Instant.parse("2026-11-26T10:00:00Z"),
        Instant.parse("2026-11-26T10:05:30.250Z"), null, 120.0, "n1 silent");
    JsonNode json = RecordJson.toJson(resolved, resolved.getSchema());
    assertEquals("2026-11-26T10:00:00Z", json.get("startTime").asText());
    assertEquals("2026-11-26T10:05:30.250Z", json.get("endTime").asText());
    assertEquals("RESOLVED", json.get("status").asText());
    assertTrue(json.get("value").isNull());
    assertEquals(120.0, json.get("threshold").asDouble());

    Alert open = new Alert("n1", "c1", "NODE_SILENT", AlertStatus.OPEN, Instant.parse("2026-11-26T10:00:00Z"), null, 180.0, 120.0, "x");
    assertTrue(RecordJson.toJson(open, open.getSchema()).get("endTime").isNull());
  }
}
