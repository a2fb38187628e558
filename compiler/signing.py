"""CMS (PKCS#7) signing of configuration profiles: DER SignedData with the profile embedded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7


class SigningError(Exception):
    pass


@dataclass(frozen=True)
class Signer:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]

    def sign(self, content: bytes) -> bytes:
        builder = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(content)
            .add_signer(self.cert, self.key, hashes.SHA256())
        )
        for extra in self.chain:
            builder = builder.add_certificate(extra)
        # Binary: the plist is embedded byte-for-byte (no MIME canonicalisation of line ends)
        return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])


def load_signer(
    cert_path: Path, key_path: Path, chain_path: Path | None, password: bytes | None = None
) -> Signer:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
        chain = (
            tuple(x509.load_pem_x509_certificates(chain_path.read_bytes())) if chain_path else ()
        )
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"cannot read the signing certificate or key: {exc}") from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise SigningError("the signing key must be an RSA or EC private key")
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if cert.public_key().public_bytes(der, pub) != key.public_key().public_bytes(der, pub):
        raise SigningError("the signing key does not belong to the signing certificate")
    return Signer(cert, key, chain)
