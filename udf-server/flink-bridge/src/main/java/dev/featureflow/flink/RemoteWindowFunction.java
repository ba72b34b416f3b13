package dev.featureflow.flink;

import dev.featureflow.udf.v1.Argument;
import dev.featureflow.udf.v1.FunctionDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.types.Row;

/**
 * One function of the UDF service, as Flink sees it: an async scalar function whose argument and
 * result types come from Describe. Planning happens where LOAD MODULE ran; the object is then
 * serialised to the TaskManagers, where {@link #open} attaches it to the JVM's shared channel.
 */
public final class RemoteWindowFunction extends AsyncScalarFunction {
  private static final long serialVersionUID = 1L;

  private final BridgeConfig config;
  private final String name;
  /** The Describe entry, as bytes: protobuf messages are not meant for Java serialisation. */
  private final byte[] descriptorBytes;

  private transient FunctionDescriptor descriptor;
  private transient WindowBatcher batcher;
  private transient boolean channelAcquired;

  RemoteWindowFunction(BridgeConfig config, FunctionDescriptor descriptor) {
    this.config = config;
    this.name = descriptor.getName();
    this.descriptorBytes = descriptor.toByteArray();
    this.descriptor = descriptor;
  }

  FunctionDescriptor descriptor() {
    if (descriptor == null) {
      try {
        descriptor = FunctionDescriptor.parseFrom(descriptorBytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("featureflow UDF " + name + ": corrupt descriptor", e);
      }
    }
    return descriptor;
  }

  @Override
  public TypeInference getTypeInference(DataTypeFactory typeFactory) {
    FunctionDescriptor function = descriptor();
    return TypeInference.newBuilder()
        .inputTypeStrategy(new WindowArgumentsStrategy(function))
        .outputTypeStrategy(TypeStrategies.explicit(FlinkTypes.toFlink(function.getResult())))
        .build();
  }

  @Override
  public void open(FunctionContext context) {
    ManagedChannel channel = SharedChannels.acquire(config);
    channelAcquired = true;
    batcher =
        new WindowBatcher(
            descriptor(), config, channel, BatcherMetrics.register(context.getMetricGroup(), name));
  }

  /** Called by Flink once per window; the row arrives in {@code result}. */
  public void eval(CompletableFuture<Row> result, Object... arguments) {
    batcher.submit(arguments, result);
  }

  @Override
  public void close() {
    if (batcher != null) {
      batcher.close();
      batcher = null;
    }
    if (channelAcquired) {
      channelAcquired = false;
      SharedChannels.release(config);
    }
  }

  @Override
  public boolean isDeterministic() {
    return true;
  }

  @Override
  public String toString() {
    return name;
  }

  /** {@code name(arg TYPE, ...) -> ROW<...>}, for error messages. */
  static String signature(FunctionDescriptor function) {
    List<String> arguments = new ArrayList<>();
    for (Argument argument : function.getArgumentsList()) {
      arguments.add(
          argument.getName()
              + " "
              + FlinkTypes.toFlink(argument.getType()).getLogicalType().asSummaryString());
    }
    return function.getName()
        + "("
        + String.join(", ", arguments)
        + ") -> "
        + FlinkTypes.toFlink(function.getResult()).getLogicalType().asSummaryString();
  }
}
