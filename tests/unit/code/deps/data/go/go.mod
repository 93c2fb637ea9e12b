module github.com/examplebank/settlement-gateway

go 1.22.0

toolchain go1.24.1

require (
	github.com/cloudflare/circl v1.5.0
	github.com/go-chi/chi/v5 v5.1.0
	github.com/golang-jwt/jwt/v5 v5.2.1
	github.com/jackc/pgx/v5 v5.7.1
	golang.org/x/crypto v0.31.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.2 // indirect
	github.com/examplebank/hsm-go v0.4.2 // indirect
	golang.org/x/sync v0.10.0 // indirect
	golang.org/x/sys v0.28.0 // indirect
	golang.org/x/text v0.21.0 // indirect
)

replace github.com/examplebank/hsm-go => ../hsm-go

replace golang.org/x/sys v0.28.0 => golang.org/x/sys v0.29.0

exclude golang.org/x/crypto v0.17.0

retract v1.0.3 // published with a broken TLS config
