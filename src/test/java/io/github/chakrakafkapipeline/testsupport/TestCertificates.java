package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Self-signed TLS certificates made for one test run, in a temporary directory, as PKCS12 files: a broker key pair
 * for {@code localhost} (SAN {@code DNS:localhost,IP:127.0.0.1}, so clients verify the host name as they do by
 * default), optionally key pairs for clients (mutual TLS), and one truststore holding every certificate, for the
 * brokers and the clients alike. The JDK's {@code keytool} makes the key pairs (the public JDK API cannot sign a
 * certificate); the truststore is written with {@link KeyStore}. Nothing is checked in, nothing expires in a year.
 */
public final class TestCertificates {

    /** The password of every store and key here. */
    public static final String PASSWORD = "test-store-secret";
    public static final String SERVER = "localhost";

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /** A key pair for the broker and for each client name (its certificate's CN), and the truststore of them all. */
    public static TestCertificates create(List<String> clients) {
        try {
            TestCertificates certificates = new TestCertificates(Files.createTempDirectory("kafka-tls-"));
            List<String> names = new ArrayList<>(clients);
            names.add(0, SERVER);
            certificates.makeKeyPairs(names);
            certificates.writeTruststore(names);
            return certificates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker's keystore: its key and its self-signed certificate for localhost. */
    public Path serverKeystore() {
        return keystore(SERVER);
    }

    /** The keystore of a client named at {@link #create}: its key and its certificate, CN={@code name}. */
    public Path keystore(String name) {
        return directory.resolve(name + ".p12");
    }

    public Path truststore() {
        return directory.resolve("truststore.p12");
    }

    /** Deletes the stores. */
    public void delete() {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key pairs side by side: keytool is a JVM of its own, and its start is most of its time. */
    private void makeKeyPairs(List<String> names) throws IOException {
        List<Process> processes = new ArrayList<>();
        for (String name : names) {
            processes.add(new ProcessBuilder(genkeypair(name)).redirectErrorStream(true).start());
        }
        for (int i = 0; i < names.size(); i++) {
            awaitSuccess(processes.get(i), names.get(i));
        }
    }

    private List<String> genkeypair(String name) {
        List<String> command = new ArrayList<>(List.of(keytool().toString(), "-genkeypair", "-noprompt",
                "-alias", name, "-dname", "CN=" + name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                "-storetype", "PKCS12", "-keystore", keystore(name).toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (name.equals(SERVER)) {
            command.addAll(List.of("-ext", "SAN=DNS:localhost,IP:127.0.0.1"));
        }
        return command;
    }

    private static void awaitSuccess(Process process, String name) throws IOException {
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool could not make the key pair of " + name + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while keytool made the key pair of " + name, e);
        }
    }

    private void writeTruststore(List<String> names) throws IOException {
        try {
            KeyStore truststore = KeyStore.getInstance("PKCS12");
            truststore.load(null, null);
            for (String name : names) {
                KeyStore keystore = KeyStore.getInstance(keystore(name).toFile(), PASSWORD.toCharArray());
                truststore.setCertificateEntry(name, keystore.getCertificate(name));
            }
            try (OutputStream out = Files.newOutputStream(truststore())) {
                truststore.store(out, PASSWORD.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not write the truststore", e);
        }
    }

    /** The keytool of the JDK running the tests. */
    private static Path keytool() {
        String executable = System.getProperty("os.name").startsWith("Windows") ? "keytool.exe" : "keytool";
        return Path.of(System.getProperty("java.home"), "bin", executable);
    }
}
