package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
)

// rsa.GenerateKey(rand.Reader, 1024) is too weak; see SEC-112.
func newKeys() (*rsa.PrivateKey, *ecdsa.PrivateKey, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return nil, nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	return rk, ek, err
}

func serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion:       tls.VersionTLS10,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.CurveP256},
	}
}

func checksum(b []byte) [16]byte { return md5.Sum(b) }
