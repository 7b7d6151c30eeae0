package schema

import (
	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"

	"accountd/internal/authz"
)

// requires returns the @requires directive of the GraphQL schema with the
// given permissions, for the query fields entgql generates. Query fields
// without it still need a session: the API denies by default.
func requires(perms ...authz.Permission) entgql.Directive {
	list := &ast.Value{Kind: ast.ListValue}
	for _, p := range perms {
		list.Children = append(list.Children, &ast.ChildValue{
			Value: &ast.Value{Kind: ast.EnumValue, Raw: string(p)},
		})
	}
	return entgql.NewDirective("requires", &ast.Argument{Name: "permissions", Value: list})
}
