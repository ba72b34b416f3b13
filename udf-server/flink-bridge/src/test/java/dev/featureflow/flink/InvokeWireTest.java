package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.featureflow.udf.v1.BoolColumn;
import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.DataType;
import dev.featureflow.udf.v1.DoubleColumn;
import dev.featureflow.udf.v1.Field;
import dev.featureflow.udf.v1.Int32Column;
import dev.featureflow.udf.v1.Int64Column;
import dev.featureflow.udf.v1.InvokeRequest;
import dev.featureflow.udf.v1.InvokeResponse;
import dev.featureflow.udf.v1.RowError;
import dev.featureflow.udf.v1.StringColumn;
import dev.featureflow.udf.v1.TypeKind;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** The direct Invoke codec against the classes protoc generated from udf.proto. */
class InvokeWireTest {
  private static Field field(String name, TypeKind kind) {
    return Field.newBuilder()
        .setName(name)
        .setType(DataType.newBuilder().setKind(kind))
        .build();
  }

  private static final List<Field> FIELDS =
      List.of(
          field("amount", TypeKind.TYPE_KIND_DOUBLE),
          field("ts", TypeKind.TYPE_KIND_BIGINT),
          field("n", TypeKind.TYPE_KIND_INT),
          field("flag", TypeKind.TYPE_KIND_BOOLEAN),
          field("country", TypeKind.TYPE_KIND_STRING),
          field("merchant", TypeKind.TYPE_KIND_STRING));

  @Test
  void writesWhatTheGeneratedClassesRead() throws Exception {
    PendingBatch batch = new PendingBatch(FIELDS, ZoneId.of("UTC"), 4);
    InvokeRequest.Builder expected = InvokeRequest.newBuilder().setFunction("f");
    StringColumn.Builder entityIds = StringColumn.newBuilder();
    List<List<Object>> columns = new ArrayList<>();
    for (int c = 0; c < FIELDS.size(); c++) {
      columns.add(new ArrayList<>());
    }
    int event = 0;
    // 70 windows: enough for the mostly-distinct merchant column to skip its dictionary.
    for (int w = 0; w < 70; w++) {
      Row[] events = new Row[w % 3];
      for (int e = 0; e < events.length; e++, event++) {
        Object[] values = {
          event * 1.5 - 3, -(1L << 40) + event, event % 2 == 0 ? -event : event, event % 3 == 0,
          event % 4 == 0 ? "Zürich" : "DE", "m-" + event
        };
        events[e] = Row.of(values);
        for (int c = 0; c < values.length; c++) {
          columns.get(c).add(values[c]);
        }
      }
      String entity = w == 5 ? "東京" : "card-" + w;
      batch.add(entity, 1_000L * w, 1_000L * w + 300_000, events, 0, new CompletableFuture<>());
      entityIds.addDictionary(entity).addIndices(w);
      expected.addWindowStarts(1_000L * w).addWindowEnds(1_000L * w + 300_000).addEventCounts(events.length);
    }
    expected.setEntityIds(entityIds);
    DoubleColumn.Builder amounts = DoubleColumn.newBuilder();
    columns.get(0).forEach(v -> amounts.addValues((Double) v));
    Int64Column.Builder ts = Int64Column.newBuilder();
    columns.get(1).forEach(v -> ts.addValues((Long) v));
    Int32Column.Builder n = Int32Column.newBuilder();
    columns.get(2).forEach(v -> n.addValues((Integer) v));
    BoolColumn.Builder flags = BoolColumn.newBuilder();
    columns.get(3).forEach(v -> flags.addValues((Boolean) v));
    // Countries repeat: a dictionary of two, in order of first appearance.
    StringColumn.Builder countries = StringColumn.newBuilder().addDictionary("Zürich").addDictionary("DE");
    columns.get(4).forEach(v -> countries.addIndices(v.equals("Zürich") ? 0 : 1));
    // Merchants are all distinct: sent as they are.
    StringColumn.Builder merchants = StringColumn.newBuilder();
    for (int i = 0; i < columns.get(5).size(); i++) {
      merchants.addDictionary((String) columns.get(5).get(i)).addIndices(i);
    }
    expected
        .addEventColumns(Column.newBuilder().setDoubles(amounts))
        .addEventColumns(Column.newBuilder().setLongs(ts))
        .addEventColumns(Column.newBuilder().setInts(n))
        .addEventColumns(Column.newBuilder().setBools(flags))
        .addEventColumns(Column.newBuilder().setStrings(countries))
        .addEventColumns(Column.newBuilder().setStrings(merchants));

    assertEquals(expected.build(), InvokeRequest.parseFrom(batch.encode("f")));
  }

  @Test
  void aRefusedWindowLeavesNoTraceInTheRequest() throws Exception {
    List<Field> fields = List.of(FIELDS.get(0), FIELDS.get(4), FIELDS.get(5));
    PendingBatch withRefusal = new PendingBatch(fields, ZoneId.of("UTC"), 4);
    PendingBatch without = new PendingBatch(fields, ZoneId.of("UTC"), 4);
    Row[] first = {Row.of(1.0, "DE", "m-1"), Row.of(2.0, "FR", "m-2")};
    // The NULL is in the last event: the ones before it were already read when it is found.
    Row[] refused = {Row.of(3.0, "IT", "m-3"), Row.of(4.0, "ES", null)};
    Row[] last = {Row.of(5.0, "DE", "m-5")};
    assertNull(withRefusal.add("a", 0, 1, first, 0, new CompletableFuture<>()));
    assertEquals(
        "event 1 field merchant is NULL (NULLs cannot be sent: filter them out or COALESCE them)",
        withRefusal.add("b", 0, 1, refused, 0, new CompletableFuture<>()));
    assertNull(withRefusal.add("c", 0, 1, last, 0, new CompletableFuture<>()));
    without.add("a", 0, 1, first, 0, new CompletableFuture<>());
    without.add("c", 0, 1, last, 0, new CompletableFuture<>());
    assertEquals(2, withRefusal.rows());
    assertArrayEquals(without.encode("f"), withRefusal.encode("f"));
  }

  @Test
  void stringColumnsKeepARepeatingColumnsDictionaryAndSendADistinctOneAsItComes() throws Exception {
    // 200 values: a column of 3 repeating countries, and one of ids of which every other repeats
    // at first (a dictionary), then all distinct: after the sample the ids are appended as they
    // come. Long and non-ASCII values take the general path.
    StringColumnWriter countries = new StringColumnWriter(4);
    StringColumnWriter ids = new StringColumnWriter(4);
    List<String> countryValues = new ArrayList<>();
    List<String> idValues = new ArrayList<>();
    String longValue = "x".repeat(300);
    for (int i = 0; i < 200; i++) {
      countryValues.add(i % 3 == 0 ? "Zürich" : i % 3 == 1 ? "DE" : longValue);
      idValues.add(i < 64 ? "id-" + (i / 2) : "id-" + i);
    }
    countryValues.forEach(countries::add);
    idValues.forEach(ids::add);
    StringColumn countryColumn = parse(countries.finish());
    assertEquals(List.of("Zürich", "DE", longValue), countryColumn.getDictionaryList());
    StringColumn idColumn = parse(ids.finish());
    // 32 distinct in the first 64 (not more than half): still a dictionary for the rest.
    assertEquals(32 + 136, idColumn.getDictionaryCount());
    for (int i = 0; i < 200; i++) {
      assertEquals(countryValues.get(i), countryColumn.getDictionary(countryColumn.getIndices(i)));
      assertEquals(idValues.get(i), idColumn.getDictionary(idColumn.getIndices(i)));
    }
    StringColumnWriter distinct = new StringColumnWriter(4);
    for (int i = 0; i < 100; i++) {
      distinct.add(i < 70 ? "card-" + i : "card-" + (i - 70));
    }
    StringColumn distinctColumn = parse(distinct.finish());
    // Mostly distinct from the start: values after the sample are sent again even when repeated.
    assertEquals(100, distinctColumn.getDictionaryCount());
    for (int i = 0; i < 100; i++) {
      assertEquals(i, distinctColumn.getIndices(i));
    }
  }

  private static StringColumn parse(StringColumnWriter.Encoded column) throws Exception {
    WireBytes out = new WireBytes(column.payloadSize());
    column.writeTo(out);
    assertEquals(out.bytes.length, out.pos);
    return StringColumn.parseFrom(out.bytes);
  }

  @Test
  void readsWhatTheGeneratedClassesWrite() throws Exception {
    InvokeResponse response =
        InvokeResponse.newBuilder()
            .setRowCount(3)
            .addResultColumns(Column.newBuilder().setDoubles(DoubleColumn.newBuilder().addValues(1.5).addValues(-0.0).addValues(Double.MAX_VALUE)))
            .addResultColumns(Column.newBuilder().setLongs(Int64Column.newBuilder().addValues(-1).addValues(Long.MAX_VALUE).addValues(0)))
            .addResultColumns(Column.newBuilder().setInts(Int32Column.newBuilder().addValues(-7).addValues(0).addValues(Integer.MIN_VALUE)))
            .addResultColumns(Column.newBuilder().setBools(BoolColumn.newBuilder().addValues(true).addValues(false).addValues(true)))
            .addResultColumns(Column.newBuilder().setStrings(StringColumn.newBuilder().addDictionary("").addDictionary("ü").addIndices(1).addIndices(0).addIndices(1)))
            .addErrors(RowError.newBuilder().setRow(1).setReason("bad: ü"))
            .build();
    InvokeResponseReader.Response read = InvokeResponseReader.decodeResponse(response.toByteArray(), 3);
    ResultRows rows =
        ResultRows.of(
            read,
            3,
            List.of(
                field("d", TypeKind.TYPE_KIND_DOUBLE),
                field("l", TypeKind.TYPE_KIND_BIGINT),
                field("i", TypeKind.TYPE_KIND_INT),
                field("b", TypeKind.TYPE_KIND_BOOLEAN),
                field("s", TypeKind.TYPE_KIND_STRING)),
            ZoneId.of("UTC"));
    assertEquals(Row.of(1.5, -1L, -7, true, "ü"), rows.row(0));
    assertEquals(Row.of(Double.MAX_VALUE, 0L, Integer.MIN_VALUE, true, "ü"), rows.row(2));
    assertNull(rows.error(0));
    assertEquals("bad: ü", rows.error(1));
    assertArrayEquals(new double[] {1.5, -0.0, Double.MAX_VALUE}, java.util.Arrays.copyOf(read.columns().get(0).doubles, 3));
  }
}
