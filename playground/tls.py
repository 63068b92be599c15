"""TLS material for the playground: a private CA and server certificates, made once."""
import datetime
import os

from playground.common import tls_files

LOCAL_NAMES = ['localhost', '127.0.0.1', '::1']
WRONG_NAME = 'wrong.host.example'


def ensure(state):
    """Make the CA and certificates under <state> unless they are all there."""
    files = tls_files(state)
    if all(path.exists() for path in files.values()):
        return files
    import trustme
    files['cert'].parent.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name='FOPNP playground',
                    organization_unit_name='local CA, not for real use')
    good = ca.issue_cert(*LOCAL_NAMES, not_after=_years(5))
    wrong = ca.issue_cert(WRONG_NAME, not_after=_years(5))
    for cert, crt, key in ((good, 'cert', 'key'), (wrong, 'wrong_cert', 'wrong_key')):
        # The .crt files hold the whole chain, the .key files only the key.
        files[crt].write_bytes(b''.join(blob.bytes() for blob in cert.cert_chain_pems))
        _write_private(files[key], cert.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(files['ca']))
    return files


def _years(n):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365 * n)


def _write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
