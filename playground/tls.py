"""TLS material for the playground: a private CA and server certificates, made once.

Each server certificate names its hosts twice: in the subject alternative
names, which today's clients check, and as the subject's common name (CN),
which older ones (fetchmail, offlineimap) still insist on.  A state folder
made before the certificates had a CN gets a new set (and so a new CA).
"""
import datetime
import os
import sys

from playground.common import tls_files

LOCAL_NAMES = ['localhost', '127.0.0.1', '::1']
WRONG_NAME = 'wrong.host.example'


def ensure(state):
    """Make the CA and certificates under <state> unless they are all there."""
    files = tls_files(state)
    if all(path.exists() for path in files.values()):
        if has_common_name(files['cert']) and has_common_name(files['wrong_cert']):
            return files
        print('playground: the certificates in this state folder have no subject CN, which '
              'some mail clients require: making a new CA and certificates', file=sys.stderr)
    import trustme
    files['cert'].parent.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name='FOPNP playground',
                    organization_unit_name='local CA, not for real use')
    good = ca.issue_cert(*LOCAL_NAMES, common_name=LOCAL_NAMES[0], not_after=_years(5),
                         organization_name='FOPNP playground')
    wrong = ca.issue_cert(WRONG_NAME, common_name=WRONG_NAME, not_after=_years(5),
                          organization_name='FOPNP playground')
    for cert, crt, key in ((good, 'cert', 'key'), (wrong, 'wrong_cert', 'wrong_key')):
        # The .crt files hold the whole chain, the .key files only the key.
        files[crt].write_bytes(b''.join(blob.bytes() for blob in cert.cert_chain_pems))
        _write_private(files[key], cert.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(files['ca']))
    return files


def has_common_name(path):
    """Does the first certificate of a PEM file have a CN in its subject?"""
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        return False
    return bool(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME))


def _years(n):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365 * n)


def _write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
