#!/usr/bin/env bash
# Makes the DEMO-ONLY PKI the shipped samples are signed with, and signs the samples, with openssl and the
# sender simulator. Never trust this root in a real pharmacy: its private keys are in this folder.
#   deploy/samples/pki/make-demo-pki.sh        (from the repository root; rewrites the files below)
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out demo-root-ca.key
openssl req -x509 -new -key demo-root-ca.key -sha256 -days 3650 -subj "/O=PharmacyRx Demo/CN=PharmacyRx DEMO ONLY Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out demo-root-ca.crt

# Port 9 (discard) refuses connections on loopback: the sample's CRL is "unreachable" until imported by hand.
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out demo-prescriber.key
openssl req -new -key demo-prescriber.key -subj "/O=PharmacyRx Demo/CN=Dr Sam Testprescriber (DEMO ONLY)" -out "$work/prescriber.csr"
cat > "$work/prescriber.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
crlDistributionPoints=URI:http://127.0.0.1:9/demo-root-ca.crl
EXT
openssl x509 -req -in "$work/prescriber.csr" -CA demo-root-ca.crt -CAkey demo-root-ca.key -set_serial 0x1001 -days 3650 -sha256 \
  -extfile "$work/prescriber.ext" -out demo-prescriber.crt

# An empty CRL from the root, current for ten years (a real CA's is current for days).
mkdir -p "$work/ca"
touch "$work/ca/index.txt"
echo 01 > "$work/ca/crlnumber"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = demo
[demo]
database = $work/ca/index.txt
crlnumber = $work/ca/crlnumber
default_md = sha256
default_crl_days = 3650
CNF
openssl ca -config "$work/ca.cnf" -gencrl -keyfile demo-root-ca.key -cert demo-root-ca.crt -out "$work/root.crl.pem" -batch 2>/dev/null
openssl crl -in "$work/root.crl.pem" -outform DER -out demo-root-ca.crl

cd ../../..
run() { dotnet run --project src/PharmacyRx.Host -- "$@"; }
# Signed now: the certificate must be valid at the signing time the message states (its SentTime).
sed -e "s|<SentTime>[^<]*</SentTime>|<SentTime>$(date -u +%Y-%m-%dT%H:%M:%S.0Z)</SentTime>|" deploy/samples/pki/04-unsigned.xml > "$work/04.xml"
run sign-as-prescriber --key deploy/samples/pki/demo-prescriber.key --cert deploy/samples/pki/demo-prescriber.crt \
  "$work/04.xml" deploy/samples/04-newrx-practitioner-signature.xml
# The same signed message with its quantity changed afterwards: Invalid, "altered after signing".
sed -e 's/SAMPLE-0004/SAMPLE-0009/; s/ORD-1004/ORD-1009/; s|<Value>20</Value>|<Value>200</Value>|' \
  deploy/samples/04-newrx-practitioner-signature.xml > deploy/samples/09-newrx-altered-after-signing.xml
