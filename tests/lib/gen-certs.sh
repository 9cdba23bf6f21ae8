#!/bin/bash
# SPDX-License-Identifier: MIT
# gen-certs.sh DIR: throwaway certificates for sockcat's TLS tests, made with
# the openssl(1) command alone, EC P-256 keys (fast: about 0.2 s in all).
#
#   ca.pem ca.key            the test CA (trust it with --cafile DIR/ca.pem)
#   server.pem server.key    CN=localhost, SAN localhost 127.0.0.1 ::1, by ca
#   chain.pem                server.pem then ca.pem (a server sending a chain)
#   expired.pem              as server.pem but valid Jan 2020 only  (key: server.key)
#   wrongname.pem            SAN wrong.example only, by ca          (key: server.key)
#   unknown.pem              SAN localhost, by other-ca.pem, not ca (key: server.key)
#   selfsigned.pem           SAN localhost, signed by itself        (key: server.key)
#   client.pem client.key    CN=client, clientAuth, by ca
#   other-ca.pem             the CA nobody trusts
#
# Every leaf shares server.key except the client's, so that one --key goes
# with each server certificate.  Nothing outside DIR is touched; DIR is
# created if missing.  Exit 0, or 1 with openssl's message.
set -euo pipefail

dir=${1:?usage: gen-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

# A new P-256 key in FILE.
newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1" 2>/dev/null
}

# A self-signed CA: NAME.pem and NAME.key, subject CN=CN.
make_ca() {
	local name=$1 cn=$2
	newkey "$name.key"
	openssl req -x509 -new -key "$name.key" -subj "/CN=$cn" -days 3650 \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-out "$name.pem" 2>/dev/null
}

# Sign a leaf: OUT.pem for KEY, subject CN, extensions EXT (one line each,
# an extfile's body), by CA (ca or other-ca); DAYS of validity from now.
sign_leaf() {
	local out=$1 key=$2 cn=$3 ext=$4 ca=$5
	openssl req -new -key "$key" -subj "/CN=$cn" -out "$out.csr" 2>/dev/null
	printf '%s\n' "$ext" >"$out.ext"
	openssl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 825 \
		-extfile "$out.ext" -out "$out.pem" 2>/dev/null
	rm -f "$out.csr" "$out.ext"
}

server_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'

make_ca ca "ipcutils test CA"
make_ca other-ca "unknown test CA"
newkey server.key
newkey client.key

sign_leaf server server.key localhost "$server_ext" ca
sign_leaf unknown server.key localhost "$server_ext" other-ca
sign_leaf wrongname server.key wrong.example "${server_ext%%subjectAltName*}subjectAltName=DNS:wrong.example" ca
sign_leaf client client.key client 'basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth' ca
cat server.pem ca.pem >chain.pem

openssl req -x509 -new -key server.key -subj /CN=localhost -days 825 \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1 \
	-out selfsigned.pem 2>/dev/null

# Past dates need openssl ca (x509 -req only counts days from now): a
# throwaway database in a temporary directory.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/index.txt"
cat >"$tmp/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[leaf]
$server_ext
EOF
openssl rand -hex 8 >"$tmp/serial"
openssl req -new -key server.key -subj /CN=localhost -out "$tmp/expired.csr" 2>/dev/null
openssl ca -batch -notext -config "$tmp/ca.cnf" -extensions leaf \
	-cert ca.pem -keyfile ca.key -in "$tmp/expired.csr" \
	-startdate 20200101000000Z -enddate 20200201000000Z \
	-out expired.pem 2>/dev/null
chmod 600 ./*.key
