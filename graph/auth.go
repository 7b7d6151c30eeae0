package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"accountd/ent"
	"accountd/ent/user"
	"accountd/graph/model"
	"accountd/internal/authz"
	"accountd/internal/password"
)

// viewer returns the caller's user.
func (r *Resolver) viewer(ctx context.Context) (*ent.User, error) {
	a, ok := authz.ActorFrom(ctx)
	if !ok || a.UserID == 0 {
		return nil, unauthenticated(ctx)
	}
	return r.client.User.Get(ctx, a.UserID)
}

// loginViewer loads the user who just logged in with the edges the
// request selects under viewer. The login request itself carries no
// session, so these edges are loaded here, as the system, rather than by
// their resolvers, which would see nothing of an anonymous caller.
func (r *Resolver) loginViewer(ctx context.Context, id int) (*ent.User, error) {
	q := r.client.User.Query().Where(user.ID(id))
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"LoginPayload"}) {
		if f.Name != "viewer" {
			continue
		}
		for _, e := range graphql.CollectFields(oc, f.Selections, []string{"User", "Node"}) {
			switch e.Name {
			case "roleAssignments":
				q.WithNamedRoleAssignments(e.Alias, func(q *ent.RoleAssignmentQuery) { q.WithRole().WithUser() })
			case "groupMemberships":
				q.WithNamedGroupMemberships(e.Alias, func(q *ent.GroupMembershipQuery) { q.WithGroup().WithUser() })
			case "organizations":
				q.WithNamedOrganizations(e.Alias)
			case "formSpaces":
				q.WithNamedFormSpaces(e.Alias)
			}
		}
	}
	return q.Only(authz.SystemContext(ctx))
}

// PasswordErrors turns the broken rules of the password policy into user
// errors on the input field at path, one each, coded by the rule.
func PasswordErrors(violations []password.Violation, path ...string) []*model.UserError {
	out := make([]*model.UserError, 0, len(violations))
	for _, v := range violations {
		out = append(out, &model.UserError{
			Field: path, Code: model.UserErrorCode(v.Rule), Message: v.Message,
		})
	}
	return out
}

func invalidCredentials(path ...string) *model.UserError {
	return &model.UserError{
		Field:   path,
		Code:    model.UserErrorCodeInvalidCredentials,
		Message: "The username or password is wrong, or the account cannot log in.",
	}
}
