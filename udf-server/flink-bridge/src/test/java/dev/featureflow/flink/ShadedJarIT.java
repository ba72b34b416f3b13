package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The jar as shipped: failsafe runs this against target/featureflow-flink-bridge-*.jar with the
 * unshaded gRPC, protobuf and Guava taken off the classpath, so the module only works if the
 * relocation (classes and ServiceLoader files) is complete.
 */
class ShadedJarIT {
  @Test
  void theShadedJarLoadsAsAModuleAndComputesRows() throws Exception {
    String jar =
        RemoteWindowFunction.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertTrue(jar.endsWith(".jar"), "running against " + jar + ", not the packaged jar");
    assertThrowsClassNotFound("io.grpc.ManagedChannel");
    assertThrowsClassNotFound("com.google.protobuf.Message");

    try (TypeScriptUdfServer server = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort())) {
      TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
      tEnv.executeSql("LOAD MODULE featureflow WITH ('address' = '" + server.address + "')");
      List<Row> rows = new ArrayList<>();
      try (CloseableIterator<Row> result =
          tEnv.executeSql(
                  "SELECT f.entity_id, f.txn_count, f.amount_sum FROM ("
                      + " SELECT transaction_features(card, TIMESTAMP '2024-03-01 00:00:00',"
                      + "   TIMESTAMP '2024-03-01 00:05:00',"
                      + "   ARRAY[ROW(amount, 'm-1', 'DE', CAST(1709251200000 AS BIGINT)),"
                      + "         ROW(amount * 2, 'm-2', 'FR', CAST(1709251260000 AS BIGINT))]) AS f"
                      + " FROM (VALUES ('card-1', 10.5), ('card-2', 7.0)) AS t(card, amount))")
              .collect()) {
        result.forEachRemaining(rows::add);
      }
      assertEquals(
          List.of(Row.of("card-1", 2L, 31.5), Row.of("card-2", 2L, 21.0)).toString(),
          rows.toString());
    }
  }

  private static void assertThrowsClassNotFound(String name) {
    try {
      Class.forName(name);
    } catch (ClassNotFoundException expected) {
      return;
    }
    throw new AssertionError(name + " is on the classpath: the test would not prove the shading");
  }
}
