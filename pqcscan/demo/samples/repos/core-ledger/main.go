// Command core-ledger serves the ledger API to the other banking services.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"log"
	"net/http"
)

func main() {
	// Batch statement signing key (ECDSA P-256), generated at start-up.
	statementKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	_ = statementKey

	// Interbank file signing still expects RSA-2048 (SWIFT FileAct profile).
	fileKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	_ = fileKey

	_ = sha1.Sum([]byte("legacy batch id"))

	server := &http.Server{
		Addr: ":8443",
		TLSConfig: &tls.Config{
			MinVersion:       tls.VersionTLS12,
			CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256},
		},
	}
	log.Fatal(server.ListenAndServeTLS("ledger.crt", "ledger.key"))
}
