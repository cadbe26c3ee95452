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
# curl, for the HEALTHCHECK below
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 pipeline \
    && useradd --system --uid 10001 --gid pipeline --home-dir /app --no-create-home --shell /usr/sbin/nologin pipeline
COPY --from=build /build/target/chakra-kafka-pipeline.jar /app/chakra-kafka-pipeline.jar
# Shipped defaults; docker-compose.yml mounts ./routes and ./config over them read-only.
COPY routes/ /app/routes/
COPY config/ /app/config/
USER 10001:10001

# Healthy when ready: Kafka answers, the dedup state is loaded, and ChakraHQ accepted the token on its last call
# (PIPELINE_MANAGEMENT_PORT, 9876 by default). Start-up reads the whole dedup topic first, hence the start period.
EXPOSE 9876
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD curl -fsS -o /dev/null "http://localhost:${PIPELINE_MANAGEMENT_PORT:-9876}/observe/health/ready" || exit 1

# Exec form: the JVM is PID 1 and receives SIGTERM, so Camel shuts down gracefully
# (in-flight messages get camel.main.shutdown-timeout seconds to reach Kafka).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/chakra-kafka-pipeline.jar"]
