package dev.featureflow.flink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real TypeScript UDF service, `node bin/featureflow.js udf-server`, in a child process on a
 * port of the test's choosing (so a test can stop it and start it again at the same address).
 */
final class TypeScriptUdfServer implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("udf-server: listening on (\\S+?),.* metrics (\\S+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final int port;
  final String address;
  private final Process process;
  private final StringBuffer log = new StringBuffer();
  private volatile String metricsUrl;

  private TypeScriptUdfServer(String host, int port, List<String> extraArgs) throws IOException {
    this.port = port;
    this.address = host + ":" + port;
    Path root = Path.of(System.getProperty("featureflow.root", "../..")).toAbsolutePath().normalize();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "node",
                root.resolve("bin/featureflow.js").toString(),
                "udf-server",
                "--address",
                address,
                "--metrics-port",
                "0",
                "--drain-grace",
                "0ms",
                "--drain-timeout",
                "2s"));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    CountDownLatch listening = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  log.append(line).append('\n');
                  Matcher match = LISTENING.matcher(line);
                  if (match.find()) {
                    metricsUrl = match.group(2);
                    listening.countDown();
                  }
                }
              } catch (IOException e) {
                log.append("(log reader: ").append(e).append(")\n");
              }
            },
            "udf-server-log-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      if (!listening.await(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("udf-server did not start within 60 s:\n" + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static TypeScriptUdfServer start(int port, String... extraArgs) {
    return startOn("127.0.0.1", port, extraArgs);
  }

  /** A server listening on {@code host} (any loopback address, 127.0.0.2 as well). */
  static TypeScriptUdfServer startOn(String host, int port, String... extraArgs) {
    try {
      return new TypeScriptUdfServer(host, port, List.of(extraArgs));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (is it on the PATH?)", e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Invoke calls the server has answered so far (its featureflow_udf_batch_rows histogram). */
  long invokeCalls() {
    return (long) metric("featureflow_udf_batch_rows_count");
  }

  /** Windows the server has received in Invoke calls so far. */
  long invokeRows() {
    return (long) metric("featureflow_udf_batch_rows_sum");
  }

  private double metric(String name) {
    try {
      String text =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher match = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(text);
      return match.find() ? Double.parseDouble(match.group(1)) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String log() {
    return log.toString();
  }

  /**
   * SIGSTOP: the process keeps its connections open but answers nothing, so calls sent to it stay
   * in flight until it is continued or killed.
   */
  void freeze() {
    try {
      Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start();
      if (!stop.waitFor(15, TimeUnit.SECONDS) || stop.exitValue() != 0) {
        throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL (kill -9): the process dies with its calls in flight, no drain. */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        throw new IllegalStateException("udf-server on port " + port + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM (graceful drain), then wait for the exit. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
