# Flink as featureflow's jobs need it: the official image of stack/pom.xml's Flink version, the
# Kafka connector and the Avro format in lib/ (resolved from the same POM as `featureflow up`
# resolves them, so the versions are the same), and the Flink bridge jar built from this
# checkout, at the path docker-compose.yml gives `submit` as FEATUREFLOW_BRIDGE_JAR.
FROM maven:3.9-eclipse-temurin-17 AS jars
WORKDIR /build
# The bridge's sources and the protocol it generates its gRPC client from.
COPY udf-server/proto udf-server/proto
COPY udf-server/flink-bridge/pom.xml udf-server/flink-bridge/pom.xml
COPY udf-server/flink-bridge/src/main udf-server/flink-bridge/src/main
RUN mvn -B -q -f udf-server/flink-bridge/pom.xml package -DskipTests \
  && mkdir /bridge && cp udf-server/flink-bridge/target/featureflow-flink-bridge-*.jar /bridge/
COPY stack/pom.xml stack/pom.xml
# Only what the official image lacks: the connector with the Kafka client and its compression
# codecs, and the Avro format with Avro and the Jackson it reads schemas with.
RUN mvn -B -q -f stack/pom.xml -P flink dependency:copy-dependencies -Dfeatureflow.lib=/connectors \
  -DincludeArtifactIds=flink-connector-kafka,kafka-clients,zstd-jni,lz4-java,snappy-java,flink-avro,avro,jackson-core,jackson-databind,jackson-annotations

FROM flink:2.2.1-scala_2.12-java17
COPY --from=jars /connectors/ /opt/flink/lib/
# Not on the classpath: the jobs load it with ADD JAR, as on any cluster.
COPY --from=jars /bridge/ /opt/flink/featureflow/
