import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

// A self-signed certificate for the given DNS names, made on the spot, so each test site can have
// its own uploaded certificate (the simulator reads only its names and dates). One key serves all.

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = forge.pki.privateKeyFromPem(KEY.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
const publicKey = forge.pki.publicKeyFromPem(KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString());

export function selfSignedCertificate(names: readonly string[]): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = '01';
  certificate.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  certificate.validity.notAfter = new Date('2036-01-01T00:00:00Z');
  const subject = [{ name: 'commonName', value: names[0] }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }]);
  certificate.sign(privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}
