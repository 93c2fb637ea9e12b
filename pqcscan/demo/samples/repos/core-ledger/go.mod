module github.com/example-bank/core-ledger

go 1.22

toolchain go1.22.8

require (
	github.com/cloudflare/circl v1.5.0
	golang.org/x/crypto v0.28.0
)

require golang.org/x/sys v0.26.0 // indirect
