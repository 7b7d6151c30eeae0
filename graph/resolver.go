// Package graph resolves accountd's GraphQL schema. Resolvers are thin: they
// parse arguments, call ent or the domain packages, and map the result.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"accountd/ent"
	"accountd/graph/generated"
	"accountd/internal/admin"
	"accountd/internal/auth"
	"accountd/internal/clock"
)

// Resolver is the root of the resolvers; it holds what they share.
type Resolver struct {
	client *ent.Client
	clock  clock.Clock
	auth   *auth.Service
	admin  *admin.Service
}

// Option configures the schema.
type Option func(*Resolver)

// WithAdmin sets the service that performs the mutations; by default one
// over the client with default settings.
func WithAdmin(s *admin.Service) Option {
	return func(r *Resolver) { r.admin = s }
}

// NewSchema returns the executable schema over client, reading the time
// from clk and authenticating with svc.
func NewSchema(client *ent.Client, clk clock.Clock, svc *auth.Service, opts ...Option) graphql.ExecutableSchema {
	r := &Resolver{client: client, clock: clk, auth: svc}
	for _, o := range opts {
		o(r)
	}
	if r.admin == nil {
		r.admin = admin.New(client, clk)
	}
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Directives: directives(svc),
	})
}
