package dev.featureflow.flink;

import java.util.ArrayList;
import java.util.List;

/**
 * The module's {@code address} option: one UDF service, {@code host:port}, or several replicas of
 * it, {@code host:port,host:port,...}. A host that resolves to several addresses (a DNS name with
 * several A records) stands for one replica per address ({@link ReplicaNameResolver}).
 */
final class ReplicaAddresses {
  private ReplicaAddresses() {}

  /** One entry of the list, as written: the host is kept as a name (TLS checks it). */
  record HostPort(String host, int port) {
    /** host:port, brackets around an IPv6 literal: the authority TLS verifies. */
    String authority() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Parses and checks every entry; the message names the entry that is wrong and why. */
  static List<HostPort> parse(String option) {
    List<HostPort> replicas = new ArrayList<>();
    String[] entries = option.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      String problem = problemOf(entry);
      if (problem != null) {
        throw new IllegalArgumentException(
            "featureflow module: 'address' must be host:port, or a comma-separated list of"
                + " host:port (one per UDF service replica), got '"
                + option
                + "'"
                + (entries.length > 1 ? " (entry " + (i + 1) + " '" + entry + "' " : " (")
                + problem
                + ")");
      }
      int colon = entry.lastIndexOf(':');
      String host = entry.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      HostPort replica = new HostPort(host, Integer.parseInt(entry.substring(colon + 1)));
      if (!replicas.contains(replica)) {
        replicas.add(replica);
      }
    }
    return List.copyOf(replicas);
  }

  /** The list as a canonical string: trimmed entries, duplicates dropped. */
  static String normalize(String option) {
    List<String> authorities = new ArrayList<>();
    for (HostPort replica : parse(option)) {
      authorities.add(replica.authority());
    }
    return String.join(",", authorities);
  }

  private static String problemOf(String entry) {
    if (entry.isEmpty()) {
      return "is empty";
    }
    int colon = entry.lastIndexOf(':');
    if (colon <= 0) {
      return "has no port";
    }
    String host = entry.substring(0, colon);
    String port = entry.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      return "has no port from 1 to 65535";
    }
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (host.matches(".*[\\s/@].*") || (!bracketed && host.matches(".*[\\[\\]].*"))) {
      return "has a host with a space, '/', '@' or a bracket";
    }
    if (!bracketed && host.contains(":")) {
      return "is an IPv6 address without brackets: write [address]:port";
    }
    return null;
  }
}
