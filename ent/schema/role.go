package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"accountd/internal/authz"
)

// Role is a named set of permissions that users are assigned.
type Role struct {
	ent.Schema
}

// Mixin of the Role.
func (Role) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}}
}

// Fields of the Role.
func (Role) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Unique().
			NotEmpty().
			MaxLen(128).
			Comment("The role's unique name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("description").
			Default("").
			MaxLen(1024).
			Comment("What the role is for."),
		field.JSON("permissions", []authz.Permission{}).
			Default([]authz.Permission{}).
			Comment("The permissions the role grants while it is active.").
			Annotations(entgql.Type("[Permission!]")),
		field.Bool("organization_assignable").
			Default(false).
			Comment("Whether an organization administrator may hand the role out."),
		field.Bool("active").
			Default(true).
			Comment("An inactive role keeps its members but grants nothing."),
		field.Bool("builtin").
			Default(false).
			Immutable().
			Comment("Built-in roles, such as Administrator, cannot be deleted."),
	}
}

// Edges of the Role.
func (Role) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("users", User.Type).
			Ref("roles").
			Through("assignments", RoleAssignment.Type).
			Annotations(entgql.Skip()),
	}
}

// Annotations of the Role.
func (Role) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Lists the roles of the catalog."),
		entgql.RelayConnection(),
	}
}
