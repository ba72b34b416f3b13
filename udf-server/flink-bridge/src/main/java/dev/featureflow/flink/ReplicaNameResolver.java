package dev.featureflow.flink;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Turns the replicas of the {@code address} option into the addresses a channel balances over:
 * every address each host resolves to is one replica (so a DNS name with several A records
 * spreads like a list). Resolved again whenever the channel asks (a replica's connection failed),
 * so a name that moves to new addresses is followed. Each address keeps its host name as the
 * authority TLS verifies.
 */
final class ReplicaNameResolver extends NameResolver {
  /** The scheme of the channel target this resolver answers for. */
  static final String SCHEME = "featureflow-replicas";

  static final String TARGET = SCHEME + ":///udf-service";

  /** How a host name becomes addresses: the JVM's resolver, or a test's. */
  interface Lookup {
    InetAddress[] addressesOf(String host) throws UnknownHostException;
  }

  /** Makes the resolver of one channel. */
  static final class Factory extends NameResolver.Factory {
    private final List<ReplicaAddresses.HostPort> replicas;
    private final Lookup lookup;

    Factory(List<ReplicaAddresses.HostPort> replicas, Lookup lookup) {
      this.replicas = replicas;
      this.lookup = lookup;
    }

    @Override
    public NameResolver newNameResolver(URI target, Args args) {
      return SCHEME.equals(target.getScheme())
          ? new ReplicaNameResolver(replicas, lookup, args)
          : null;
    }

    @Override
    public String getDefaultScheme() {
      return SCHEME;
    }
  }

  private final List<ReplicaAddresses.HostPort> replicas;
  private final Lookup lookup;
  private final Executor offload;
  private final SynchronizationContext syncContext;
  private Listener2 listener;
  private boolean resolving;
  private boolean shutdown;

  private ReplicaNameResolver(List<ReplicaAddresses.HostPort> replicas, Lookup lookup, Args args) {
    this.replicas = replicas;
    this.lookup = lookup;
    this.offload = args.getOffloadExecutor();
    this.syncContext = args.getSynchronizationContext();
  }

  @Override
  public String getServiceAuthority() {
    return replicas.get(0).authority();
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    resolve();
  }

  @Override
  public void refresh() {
    resolve();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  /** Runs in the channel's synchronization context; the lookups run off it (they may block). */
  private void resolve() {
    if (resolving || shutdown) {
      return;
    }
    resolving = true;
    Runnable lookupAll =
        () -> {
          List<EquivalentAddressGroup> groups = new ArrayList<>();
          List<String> unresolved = new ArrayList<>();
          for (ReplicaAddresses.HostPort replica : replicas) {
            try {
              for (InetAddress address : lookup.addressesOf(replica.host())) {
                EquivalentAddressGroup group =
                    new EquivalentAddressGroup(
                        new InetSocketAddress(address, replica.port()),
                        Attributes.newBuilder()
                            .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, replica.authority())
                            .build());
                if (!groups.contains(group)) {
                  groups.add(group);
                }
              }
            } catch (UnknownHostException | RuntimeException e) {
              unresolved.add(replica.authority() + " (" + e.getMessage() + ")");
            }
          }
          syncContext.execute(() -> deliver(groups, unresolved));
        };
    if (offload != null) {
      offload.execute(lookupAll);
    } else {
      lookupAll.run();
    }
  }

  private void deliver(List<EquivalentAddressGroup> groups, List<String> unresolved) {
    resolving = false;
    if (shutdown) {
      return;
    }
    if (groups.isEmpty()) {
      listener.onError(
          Status.UNAVAILABLE.withDescription(
              "no UDF service replica resolves to an address: "
                  + String.join(", ", unresolved)
                  + " (check the module's 'address' option and DNS)"));
      return;
    }
    // A replica whose name does not resolve now is left out; the others carry on.
    listener.onResult2(ResolutionResult.newBuilder().setAddresses(groups).build());
  }
}
