package dev.featureflow.flink;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per UDF service address (and TLS setting) per JVM, shared by every subtask
 * and every function of the job, counted by reference: the first {@link #acquire} opens it, the
 * last {@link #release} closes it. A channel multiplexes any number of concurrent calls over one
 * HTTP/2 connection per replica, so more channels would only add connections.
 *
 * <p>With several replicas ({@link ReplicaAddresses}) the channel holds a connection to each and
 * sends each call to the next replica whose connection is ready (gRPC's round_robin): a replica
 * that is down gets no calls until it is back, and a call it failed is retried on another
 * ({@link WindowBatcher}).
 *
 * <p>"Per JVM" is per class loader: with the jar in Flink's lib/ it is one per TaskManager; added
 * to a job (ADD JAR), one per job on each TaskManager.
 */
final class SharedChannels {
  private SharedChannels() {}

  /** The largest response accepted: about 100 bytes per window, far below this. */
  static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

  private static final class Entry {
    final ManagedChannel channel;
    int references;

    Entry(ManagedChannel channel) {
      this.channel = channel;
    }
  }

  private static final Map<String, Entry> CHANNELS = new HashMap<>();

  static synchronized ManagedChannel acquire(BridgeConfig config) {
    Entry entry = CHANNELS.get(config.channelKey());
    if (entry == null || entry.channel.isShutdown()) {
      entry = new Entry(open(config));
      CHANNELS.put(config.channelKey(), entry);
    }
    entry.references++;
    return entry.channel;
  }

  static synchronized void release(BridgeConfig config) {
    Entry entry = CHANNELS.get(config.channelKey());
    if (entry == null) {
      return;
    }
    entry.references--;
    if (entry.references <= 0) {
      CHANNELS.remove(config.channelKey());
      entry.channel.shutdown();
      try {
        if (!entry.channel.awaitTermination(5, TimeUnit.SECONDS)) {
          entry.channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        entry.channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Open channels now (for tests: a released channel really is gone). */
  static synchronized int openChannels() {
    return CHANNELS.size();
  }

  /** A channel of its own, not shared: LOAD MODULE's one Describe call. */
  static ManagedChannel open(BridgeConfig config) {
    return open(config, InetAddress::getAllByName);
  }

  /** {@link #open} with the host names resolved by {@code lookup}. */
  @SuppressWarnings("deprecation") // nameResolverFactory: the way to give one channel its own
  static ManagedChannel open(BridgeConfig config, ReplicaNameResolver.Lookup lookup) {
    return Grpc.newChannelBuilder(ReplicaNameResolver.TARGET, credentials(config))
        .nameResolverFactory(
            new ReplicaNameResolver.Factory(ReplicaAddresses.parse(config.address()), lookup))
        .defaultLoadBalancingPolicy("round_robin")
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        .build();
  }

  private static ChannelCredentials credentials(BridgeConfig config) {
    if (config.tlsCa() == null && config.tlsCert() == null) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (config.tlsCa() != null) {
        tls.trustManager(new File(config.tlsCa()));
      }
      if (config.tlsCert() != null) {
        tls.keyManager(new File(config.tlsCert()), new File(config.tlsKey()));
      }
      return tls.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "featureflow module: the TLS files are unusable: tls.ca="
              + config.tlsCa()
              + ", tls.cert="
              + config.tlsCert()
              + ", tls.key="
              + config.tlsKey()
              + " ("
              + e.getMessage()
              + "; expected readable PEM files, the key in PKCS#8)",
          e);
    }
  }
}
