// Package graph resolves accountd's GraphQL schema. Resolvers are thin: they
// parse arguments, call ent or the domain packages, and map the result.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"accountd/ent"
	"accountd/graph/generated"
	"accountd/internal/auth"
	"accountd/internal/clock"
)

// Resolver is the root of the resolvers; it holds what they share.
type Resolver struct {
	client *ent.Client
	clock  clock.Clock
	auth   *auth.Service
}

// NewSchema returns the executable schema over client, reading the time
// from clk and authenticating with svc.
func NewSchema(client *ent.Client, clk clock.Clock, svc *auth.Service) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  &Resolver{client: client, clock: clk, auth: svc},
		Directives: directives(svc),
	})
}
