package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RoleAssignment gives a role to a user, permanently or until it expires.
type RoleAssignment struct {
	ent.Schema
}

// Fields of the RoleAssignment.
func (RoleAssignment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").
			Comment("The user holding the role.").
			Annotations(entgql.Skip()),
		field.Int("role_id").
			Comment("The role held.").
			Annotations(entgql.Skip()),
		field.Time("assigned_at").
			Default(now).
			Comment("When the role was assigned."),
		field.String("assigned_by").
			Default("").
			Comment("Username of whoever assigned the role, or system."),
		field.Time("expires_at").
			Optional().
			Nillable().
			Comment("When the assignment ends; null means permanent."),
		field.Time("reminded_at").
			Optional().
			Nillable().
			Comment("When the last expiry reminder was queued.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the RoleAssignment.
func (RoleAssignment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).
			Field("user_id").
			Unique().
			Required().
			Comment("The user holding the role."),
		edge.To("role", Role.Type).
			Field("role_id").
			Unique().
			Required().
			Comment("The role held."),
	}
}

// Indexes of the RoleAssignment.
func (RoleAssignment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "role_id").Unique(),
		index.Fields("role_id"),
		index.Fields("expires_at"),
	}
}

// Annotations of the RoleAssignment.
func (RoleAssignment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Interceptors of the RoleAssignment.
func (RoleAssignment) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{keepRoleExpiry}
}
