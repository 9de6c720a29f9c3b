package io.factorymeter.stack.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS material of a secured local stack, made with Bouncy Castle's certificate builder on the
 * JDK's own crypto providers (no provider is registered): a self-signed CA and a server certificate
 * it signs for {@code 127.0.0.1} and {@code localhost} (subject alternative names), both EC P-256.
 *
 * <ul>
 *   <li>{@code truststore.p12}: the CA certificate (PKCS12), for clients.
 *   <li>{@code ca.crt}: the same certificate in PEM, for clients that do not read PKCS12 (curl, librdkafka).
 *   <li>{@code server.keystore.p12}: the server key with its chain (server, CA), for the broker and the registry.
 * </ul>
 *
 * <p>The CA's private key is not kept: a new server certificate means a new CA.
 */
public final class Certificates {

  public static final String TRUSTSTORE = "truststore.p12";
  public static final String KEYSTORE = "server.keystore.p12";
  public static final String CA_PEM = "ca.crt";
  public static final String SERVER_ALIAS = "server";
  public static final String CA_ALIAS = "factory-meter-local-ca";
  static final Duration VALIDITY = Duration.ofDays(825);

  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {
  }

  /**
   * Makes the CA, the server certificate and the three files in {@code dir}, replacing any there.
   *
   * @param keystorePassword password of the keystore and of the key in it
   * @param truststorePassword password of the truststore
   */
  public static void create(Path dir, char[] keystorePassword, char[] truststorePassword) {
    try {
      Files.createDirectories(dir);
      Instant now = Instant.now();
      KeyPair caKeys = ecKeys();
      X500Principal caName = new X500Principal("CN=Factory Meter local stack CA " + now.getEpochSecond() + ", O=Factory Meter");
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(VALIDITY)), caName, caKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());

      KeyPair serverKeys = ecKeys();
      X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(VALIDITY)), new X500Principal("CN=localhost, O=Factory Meter"), serverKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          // clientAuth too: the broker presents this certificate to its own controller listener (mutual TLS)
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(serverKeys.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate serverCert = sign(server, caKeys.getPrivate());

      KeyStore keystore = KeyStore.getInstance("PKCS12");
      keystore.load(null, null);
      keystore.setKeyEntry(SERVER_ALIAS, serverKeys.getPrivate(), keystorePassword, new Certificate[] {serverCert, caCert});
      KeyStore truststore = KeyStore.getInstance("PKCS12");
      truststore.load(null, null);
      truststore.setCertificateEntry(CA_ALIAS, caCert);
      store(keystore, dir.resolve(KEYSTORE), keystorePassword);
      store(truststore, dir.resolve(TRUSTSTORE), truststorePassword);
      StringWriter pem = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
        writer.writeObject(caCert);
      }
      Files.writeString(dir.resolve(CA_PEM), pem.toString());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("Cannot make the stack's certificates: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the stack's certificates in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The server certificate in {@code keystore}, or null when it cannot be read with that password. */
  public static X509Certificate serverCertificate(Path keystore, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return (X509Certificate) ks.getCertificate(SERVER_ALIAS);
    } catch (IOException | GeneralSecurityException e) {
      return null;
    }
  }

  /** Loads a PKCS12 store. */
  public static KeyStore load(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Cannot read " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(96, RANDOM).abs().add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static void store(KeyStore ks, Path file, char[] password) throws IOException, GeneralSecurityException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      ks.store(out, password);
    }
    if (file.getFileName().toString().equals(KEYSTORE)
        && java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
