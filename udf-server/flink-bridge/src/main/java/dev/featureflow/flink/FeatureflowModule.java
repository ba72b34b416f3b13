package dev.featureflow.flink;

import dev.featureflow.udf.v1.DescribeResponse;
import dev.featureflow.udf.v1.FunctionDescriptor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.module.Module;

/**
 * The functions of one featureflow UDF service, as a Flink module: after
 * {@code LOAD MODULE featureflow WITH ('address' = 'host:port')} SQL calls them by name.
 */
public final class FeatureflowModule implements Module {
  private final Map<String, FunctionDefinition> functions = new LinkedHashMap<>();

  FeatureflowModule(BridgeConfig config, DescribeResponse description) {
    for (FunctionDescriptor function : description.getFunctionsList()) {
      functions.put(
          function.getName().toLowerCase(Locale.ROOT), new RemoteWindowFunction(config, function));
    }
    // Late filters call it next to the service's functions (see LastWindowFireTime).
    functions.putIfAbsent(LastWindowFireTime.NAME, new LastWindowFireTime());
  }

  @Override
  public Set<String> listFunctions() {
    return Collections.unmodifiableSet(functions.keySet());
  }

  @Override
  public Optional<FunctionDefinition> getFunctionDefinition(String name) {
    // SQL identifiers reach modules as written; the service's names are lower snake_case.
    return Optional.ofNullable(functions.get(name.toLowerCase(Locale.ROOT)));
  }
}
