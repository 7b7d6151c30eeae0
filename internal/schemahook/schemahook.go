// Package schemahook adjusts the GraphQL schema that entgql generates from
// the ent schema: list edges become non-null, the assignment lists take an
// includeExpired argument, and every element gets a description.
package schemahook

import (
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Hooks returns the schema hooks in the order they must run.
func Hooks() []entgql.SchemaHook {
	return []entgql.SchemaHook{nonNullLists, assignmentArgs, userSearch, describe}
}

// nonNullLists turns every nullable list field of an object type into a
// non-null one: an empty list says "none" better than null does.
func nonNullLists(_ *gen.Graph, s *ast.Schema) error {
	for _, def := range s.Types {
		if def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			if f.Type.Elem != nil && !f.Type.NonNull {
				f.Type = ast.NonNullListType(f.Type.Elem, nil)
			}
		}
	}
	return nil
}

// assignmentArgs adds includeExpired to the lists of role assignments and
// group memberships of a user, and drops the plain role and group lists,
// which would show expired assignments as if they still held.
func assignmentArgs(_ *gen.Graph, s *ast.Schema) error {
	user := s.Types["User"]
	if user == nil {
		return fmt.Errorf("schemahook: type User not generated")
	}
	kept := user.Fields[:0]
	for _, f := range user.Fields {
		if f.Name != "roles" && f.Name != "groups" {
			kept = append(kept, f)
		}
	}
	user.Fields = kept
	descriptions := map[string]string{
		"roleAssignments": "The roles the user holds, with their expiry; " +
			"expired ones only with includeExpired.",
		"groupMemberships": "The groups the user belongs to, with their expiry; " +
			"expired ones only with includeExpired.",
	}
	for name, desc := range descriptions {
		f := user.Fields.ForName(name)
		if f == nil {
			return fmt.Errorf("schemahook: field User.%s not generated", name)
		}
		f.Description = desc
		f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
			Name:         "includeExpired",
			Description:  "Whether to include assignments whose expiry has passed.",
			Type:         ast.NamedType("Boolean", nil),
			DefaultValue: &ast.Value{Kind: ast.BooleanValue, Raw: "false"},
		})
	}
	return nil
}

// userSearch adds the free-text search argument to the users query.
func userSearch(_ *gen.Graph, s *ast.Schema) error {
	f := s.Types["Query"].Fields.ForName("users")
	if f == nil {
		return fmt.Errorf("schemahook: query users not generated")
	}
	f.Arguments = append(f.Arguments, &ast.ArgumentDefinition{
		Name: "search",
		Description: "Matches users whose username, first name, last name or email " +
			"contains this text, ignoring case.",
		Type: ast.NamedType("String", nil),
	})
	return nil
}
