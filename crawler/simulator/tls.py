"""TLS on the simulated hosts: every portal's port answers both plain HTTP and HTTPS (told apart by
the first byte a client sends: a TLS ClientHello starts with 0x16), with a self-signed certificate
made once per process by `cryptography`, as government hosts' often are. A portal can be
https-only (plain HTTP answers 404, 曲靖公积金) or http-only (the TLS handshake fails, Hunan's
provincial departments) — portal-evidence.md §3.4."""
from __future__ import annotations

import datetime
import functools
import ipaddress
import socket
import ssl
import tempfile
from pathlib import Path


@functools.lru_cache(maxsize=None)
def server_context() -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    where = Path(tempfile.mkdtemp(prefix="xxgk-sim-tls-"))
    (where / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (where / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(where / "cert.pem", where / "key.pem")
    return ctx


def starts_tls(sock: socket.socket, wait: float = 5.0) -> bool:
    """Whether the client opens with a TLS ClientHello (peeked, not consumed)."""
    old = sock.gettimeout()
    try:
        sock.settimeout(wait)
        return sock.recv(1, socket.MSG_PEEK) == b"\x16"
    except OSError:
        return False
    finally:
        try:
            sock.settimeout(old)
        except OSError:
            pass
