package dev.featureflow.flink;

import dev.featureflow.udf.v1.DescribeRequest;
import dev.featureflow.udf.v1.DescribeResponse;
import dev.featureflow.udf.v1.UdfServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Asks the UDF service which functions it offers (LOAD MODULE time, in the planning JVM). */
final class ServiceDescription {
  private ServiceDescription() {}

  static final String PROTOCOL = "featureflow.udf.v1";

  static DescribeResponse fetch(BridgeConfig config, Duration timeout) {
    ManagedChannel channel = SharedChannels.open(config);
    try {
      DescribeResponse response =
          UdfServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .withWaitForReady()
              .describe(DescribeRequest.getDefaultInstance());
      if (!PROTOCOL.equals(response.getProtocol())) {
        throw new IllegalStateException(
            "featureflow module: the UDF service at "
                + config.address()
                + " speaks '"
                + response.getProtocol()
                + "', this bridge "
                + PROTOCOL
                + " (use matching featureflow versions)");
      }
      return response;
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException(
          "featureflow module: cannot list the functions of the UDF service at "
              + config.address()
              + ": "
              + e.getStatus().getCode()
              + ": "
              + e.getStatus().getDescription()
              + " (start it with 'featureflow udf-server', or fix the module's 'address' option; waited "
              + timeout.toMillis()
              + " ms, see 'describe.timeout')",
          e);
    } finally {
      channel.shutdownNow();
    }
  }
}
