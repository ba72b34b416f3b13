package dev.featureflow.flink;

import dev.featureflow.udf.v1.DescribeResponse;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModuleFactory;
import org.apache.flink.table.module.Module;

/**
 * {@code LOAD MODULE featureflow WITH ('address' = 'host:port', ...)}: found by Flink through
 * META-INF/services/org.apache.flink.table.factories.Factory. Options: {@link BridgeOptions}.
 */
public final class FeatureflowModuleFactory implements ModuleFactory {
  public static final String IDENTIFIER = "featureflow";

  private static final int MAX_BATCH_ROWS = 4096;

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(BridgeOptions.ADDRESS);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(
        BridgeOptions.BATCH_MAX_ROWS,
        BridgeOptions.BATCH_MAX_WAIT,
        BridgeOptions.CALL_TIMEOUT,
        BridgeOptions.RETRY_MAX_ATTEMPTS,
        BridgeOptions.RETRY_INITIAL_BACKOFF,
        BridgeOptions.RETRY_MAX_BACKOFF,
        BridgeOptions.RETRY_BUSY_TIMEOUT,
        BridgeOptions.ROW_ERROR,
        BridgeOptions.TLS_CA,
        BridgeOptions.TLS_CERT,
        BridgeOptions.TLS_KEY,
        BridgeOptions.DESCRIBE_TIMEOUT);
  }

  @Override
  public Module createModule(Context context) {
    FactoryUtil.ModuleFactoryHelper helper = FactoryUtil.createModuleFactoryHelper(this, context);
    helper.validate();
    BridgeConfig config = configure(helper.getOptions(), context.getConfiguration());
    DescribeResponse description =
        ServiceDescription.fetch(config, helper.getOptions().get(BridgeOptions.DESCRIBE_TIMEOUT));
    return new FeatureflowModule(
        config.withMaxRequestBytes(description.getMaxRequestBytes()), description);
  }

  static BridgeConfig configure(ReadableConfig options, ReadableConfig session) {
    String address = ReplicaAddresses.normalize(options.get(BridgeOptions.ADDRESS).trim());
    int maxRows =
        options
            .getOptional(BridgeOptions.BATCH_MAX_ROWS)
            .orElseGet(
                () ->
                    session.get(
                            ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_MAX_CONCURRENT_OPERATIONS)
                        / 2);
    maxRows = Math.max(1, Math.min(MAX_BATCH_ROWS, maxRows));
    String rowError = options.get(BridgeOptions.ROW_ERROR).toLowerCase(Locale.ROOT);
    if (!rowError.equals("fail") && !rowError.equals("null")) {
      throw new IllegalArgumentException(
          "featureflow module: 'row-error' must be 'fail' or 'null', got '" + rowError + "'");
    }
    String tlsCert = options.getOptional(BridgeOptions.TLS_CERT).orElse(null);
    String tlsKey = options.getOptional(BridgeOptions.TLS_KEY).orElse(null);
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException(
          "featureflow module: 'tls.cert' and 'tls.key' go together, got only one of them");
    }
    String zone = session.get(TableConfigOptions.LOCAL_TIME_ZONE);
    String zoneId =
        TableConfigOptions.LOCAL_TIME_ZONE.defaultValue().equals(zone)
            ? ZoneId.systemDefault().getId()
            : ZoneId.of(zone).getId();
    return new BridgeConfig(
        address,
        maxRows,
        options.get(BridgeOptions.BATCH_MAX_WAIT),
        options.get(BridgeOptions.CALL_TIMEOUT),
        Math.max(1, options.get(BridgeOptions.RETRY_MAX_ATTEMPTS)),
        options.get(BridgeOptions.RETRY_INITIAL_BACKOFF),
        options.get(BridgeOptions.RETRY_MAX_BACKOFF),
        options.get(BridgeOptions.RETRY_BUSY_TIMEOUT),
        rowError.equals("null") ? BridgeConfig.RowErrorPolicy.NULL : BridgeConfig.RowErrorPolicy.FAIL,
        options.getOptional(BridgeOptions.TLS_CA).orElse(null),
        tlsCert,
        tlsKey,
        zoneId,
        0);
  }
}
