// Package accountd is the root of the accountd module. It holds the code
// generation steps; the server lives in cmd/accountd and internal/.
package accountd

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
