"""CMS (PKCS#7) signing of configuration profiles: DER SignedData with the profile embedded.

Signing material comes as a file name or as the PEM text itself (CI secret stores hand it over
in an environment variable). No message here ever contains key material: errors name the input
(certificate, key or chain) and what is wrong with it, never its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

CERT = "the signing certificate (--sign-cert / SCHOOLMDM_SIGN_CERT)"
KEY = "the signing key (--sign-key / SCHOOLMDM_SIGN_KEY)"
CHAIN = "the certificate chain (--sign-chain / SCHOOLMDM_SIGN_CHAIN)"
PASSWORD_ENV = "SCHOOLMDM_SIGN_KEY_PASSWORD"


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


def read_pem(source: str | Path, what: str, secret: bool = False) -> bytes:
    """The PEM bytes of an option value: the PEM text itself, or the name of a file."""
    if isinstance(source, str) and "-----BEGIN " in source:
        if "\n" not in source.strip() and "\\n" in source:
            source = source.replace("\\n", "\n")  # a secret store that kept "\n" escaped
        return source.encode("utf-8", errors="replace")
    text = str(source)
    if not text.strip() or "\n" in text or len(text) > 4096:
        raise SigningError(f"{what} is neither PEM text (-----BEGIN ...) nor a file name")
    # a file name is shown, unless this is the key: a mangled key could look like a name
    shown = "" if secret else f" '{text}'"
    try:
        return Path(text).read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{what}: the file{shown} does not exist") from None
    except IsADirectoryError:
        raise SigningError(f"{what}: '{text}' is a folder, not a PEM file") from None
    except OSError as exc:
        raise SigningError(f"{what}: the file{shown} cannot be read ({exc.strerror})") from None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _check_dates(cert: x509.Certificate, what: str, now: datetime) -> None:
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    subject = cert.subject.rfc4514_string() or "(no subject)"
    if now < start:
        raise SigningError(
            f"{what} ({subject}) is not valid yet: valid from {_when(start)} to {_when(end)}"
        )
    if now > end:
        raise SigningError(
            f"{what} ({subject}) expired on {_when(end)} (valid from {_when(start)})"
        )


def _certificates(data: bytes, what: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise SigningError(f"{what} holds no PEM certificate") from None


def _key(data: bytes, password: bytes | None) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    encrypted = b"ENCRYPTED" in data
    if encrypted and password is None:
        raise SigningError(
            f"{KEY} is encrypted: give its passphrase in {PASSWORD_ENV} "
            "or name a variable that holds it with --sign-key-password-env"
        )
    try:
        key = serialization.load_pem_private_key(data, password=password if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # cryptography's own message is not shown: nothing of a key may reach a log
        if encrypted:
            raise SigningError(f"{KEY}: the passphrase does not open it") from None
        raise SigningError(f"{KEY} is not a readable PEM private key") from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise SigningError(f"{KEY} must be an RSA or EC private key")
    return key


def load_signer(
    cert_source: str | Path,
    key_source: str | Path,
    chain_source: str | Path | None,
    password: bytes | None = None,
    now: datetime | None = None,
) -> Signer:
    """The signer from a certificate, its key and an optional chain (each a file or PEM text).
    The certificate and the chain must be valid now; the key must belong to the certificate."""
    moment = now or datetime.now(UTC)
    certs = _certificates(read_pem(cert_source, CERT), CERT)
    cert = certs[0]
    _check_dates(cert, CERT, moment)
    key = _key(read_pem(key_source, KEY, secret=True), password)
    chain: tuple[x509.Certificate, ...] = ()
    if chain_source is not None:
        chain = tuple(_certificates(read_pem(chain_source, CHAIN), CHAIN))
        for extra in chain:
            _check_dates(extra, CHAIN, moment)
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if cert.public_key().public_bytes(der, pub) != key.public_key().public_bytes(der, pub):
        raise SigningError(f"{KEY} does not belong to {CERT}")
    return Signer(cert, key, chain)
