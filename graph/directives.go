package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"accountd/graph/generated"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/ratelimit"
)

// directives returns the implementations of the schema's directives.
// @requires checks the permissions and the step-up rule; @public only marks
// a field, which DefaultDeny reads from the schema.
func directives(svc *auth.Service) generated.DirectiveRoot {
	return generated.DirectiveRoot{
		Public: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
			return next(ctx)
		},
		Requires: func(ctx context.Context, _ any, next graphql.Resolver,
			perms []authz.Permission, recent *bool) (any, error) {
			a, ok := authz.ActorFrom(ctx)
			if !ok {
				return nil, unauthenticated(ctx)
			}
			for _, p := range perms {
				if !a.Has(p) {
					return nil, &CodedError{Code: CodeForbidden,
						Message: "this operation needs the permission " + string(p)}
				}
			}
			if recent != nil && *recent && !svc.RecentlyAuthenticated(a) {
				return nil, &CodedError{Code: CodeReauthenticationRequired,
					Message: "confirm your password with reauthenticate, then try again"}
			}
			return next(ctx)
		},
	}
}

// allowedBeforePasswordChange are the root fields that a caller who must
// change the password may call; everything else is FORBIDDEN until then.
var allowedBeforePasswordChange = map[string]bool{
	"changePassword": true,
	"logout":         true,
	"viewer":         true,
}

// DefaultDeny is the field middleware that makes a session the rule: a
// root field of Query or Mutation without @public needs an authenticated
// caller, whether or not it carries @requires, so that a new operation
// cannot be left open by forgetting a directive.
func DefaultDeny(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || (fc.Object != "Query" && fc.Object != "Mutation") ||
		strings.HasPrefix(fc.Field.Name, "__") {
		return next(ctx)
	}
	if def := fc.Field.Definition; def != nil && def.Directives.ForName("public") != nil {
		return next(ctx)
	}
	a, ok := authz.ActorFrom(ctx)
	if !ok {
		return nil, unauthenticated(ctx)
	}
	if a.MustChangePassword && !allowedBeforePasswordChange[fc.Field.Name] {
		return nil, &CodedError{Code: CodeForbidden,
			Message:    "the password must be changed first, with changePassword",
			Extensions: map[string]any{"reason": "PASSWORD_CHANGE_REQUIRED"}}
	}
	return next(ctx)
}

// unauthenticated explains why the request has no session.
func unauthenticated(ctx context.Context) error {
	msg := "this operation needs a session: log in and send the token as Authorization: Bearer <token>"
	switch err := auth.FailureFrom(ctx); {
	case errors.Is(err, auth.ErrMalformedToken):
		msg = "the Authorization header is not a bearer token of this server"
	case errors.Is(err, auth.ErrInvalidSession):
		msg = "the session is unknown, expired or revoked: log in again"
	}
	return &CodedError{Code: CodeUnauthenticated, Message: msg}
}

// serviceError maps the errors of the auth service that are not user
// errors to coded errors; others pass through and become INTERNAL.
func serviceError(ctx context.Context, err error) error {
	var limited *ratelimit.Exceeded
	switch {
	case errors.As(err, &limited):
		return &CodedError{Code: CodeRateLimited, Message: limited.Error(),
			Extensions: map[string]any{"retryAfterSeconds": limited.RetrySeconds()}}
	case errors.Is(err, auth.ErrNoSession):
		return unauthenticated(ctx)
	}
	return err
}
