# chakra-kafka-pipeline image: the fat jar, the routes and the configuration, run as a non-root user.
# No token or other secret is baked in: it comes from the container's environment (see docker-compose.yml, .env.example).
#   docker build -t chakra-kafka-pipeline .

## Stage 1: build the fat jar
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies and plugins first, so this layer is rebuilt only when pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

## Stage 2: runtime
FROM eclipse-temurin:17-jre
# The application reads config/application.properties and routes/*.camel.yaml relative to this directory.
WORKDIR /app
RUN groupadd --system --gid 10001 pipeline \
    && useradd --system --uid 10001 --gid pipeline --home-dir /app --no-create-home --shell /usr/sbin/nologin pipeline
COPY --from=build /build/target/chakra-kafka-pipeline.jar /app/chakra-kafka-pipeline.jar
# Shipped defaults; docker-compose.yml mounts ./routes and ./config over them read-only.
COPY routes/ /app/routes/
COPY config/ /app/config/
USER 10001:10001

# Placeholder, to be wired to the management port once a health endpoint exists (none does yet, so a check here
# would only ever fail). The JRE image may also need an HTTP client installed for it.
# HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
#     CMD curl -fsS http://localhost:<management-port>/<health-path> || exit 1

# Exec form: the JVM is PID 1 and receives SIGTERM, so Camel shuts down gracefully
# (in-flight messages get camel.main.shutdown-timeout seconds to reach Kafka).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/chakra-kafka-pipeline.jar"]
