#!/usr/bin/env python3
"""Writes pkits_4.5_4.14_expected.tsv: PKITS sections 4.5, 4.6, 4.7, 4.13 and 4.14.

The test number is the N of the end-entity file's TestN, its section follows from the name, and the expected
result from its first word (Valid/Invalid), as in the PKITS specification. The certificates offered are every
certificate whose subject is an issuer name up the chain (or a cRLIssuer of a distribution point), the CRLs
every CRL issued under one of those names: what a relying party holding the whole repository would be given.
Run from this folder: python3 derive-paths.py > pkits_4.5_4.14_expected.tsv (needs python3-cryptography).
"""
import os
import re
from cryptography import x509

SECTIONS = [
    ("4.5", r"BasicSelfIssued"),
    ("4.6", r"MissingbasicConstraints|cAFalse|basicConstraintsNotCritical|pathLenConstraint"),
    ("4.7", r"keyUsage"),
    ("4.13", r"nameConstraints"),
    ("4.14", r"distributionPoint|DistributionPoint|onlyContains|onlySomeReasons|IDPwithindirectCRL|cRLIssuer"),
]
ANCHOR = "TrustAnchorRootCertificate"



def load(f):
    try:
        return x509.load_der_x509_certificate(open(os.path.join("PKITS/certs", f), "rb").read())
    except ValueError:  # DSA parameter inheritance (4.1.5): not in these sections
        return None


certs = {f[:-4]: c for f in sorted(os.listdir("PKITS/certs")) if (c := load(f)) is not None}
crls = {f[:-4]: x509.load_der_x509_crl(open(os.path.join("PKITS/crls", f), "rb").read())
        for f in sorted(os.listdir("PKITS/crls"))}


def crl_issuer_names(cert):
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [n.value for p in points if p.crl_issuer for n in p.crl_issuer if isinstance(n, x509.DirectoryName)]


def related(ee):
    names, chain, todo = set(), [], [certs[ee].issuer] + crl_issuer_names(certs[ee])
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        for key, cert in certs.items():
            if cert.subject == name and key != ee and not key.endswith("EE") and key != ANCHOR and key not in chain:
                chain.append(key)
                todo.append(cert.issuer)
                todo.extend(crl_issuer_names(cert))
    names.add(certs[ANCHOR].subject)
    return chain, [key for key, crl in crls.items() if crl.issuer in names]


print("# PKITS sections 4.5 (self-issued certificates), 4.6 (basic constraints), 4.7 (key usage), 4.13 (name")
print("# constraints) and 4.14 (distribution points), written by derive-paths.py beside this file.")
print("# test\tname\texpected\tpath(cert files, trust anchor first, EE last)\tcrls")
rows = []
for section, pattern in SECTIONS:
    for ee in certs:
        m = re.fullmatch(r"(Valid|Invalid)(.*)Test(\d+)EE", ee)
        if m and re.search(pattern, ee):
            chain, crl_list = related(ee)
            rows.append((section, int(m.group(3)), ee, m.group(1) == "Valid", chain, crl_list))
for section, n, ee, valid, chain, crl_list in sorted(rows, key=lambda r: ([int(p) for p in r[0].split(".")], r[1])):
    print(f"{section}.{n}\t{ee[:-2]}\t{'valid' if valid else 'invalid'}\t{','.join([ANCHOR] + chain + [ee])}\t{','.join(crl_list)}")
