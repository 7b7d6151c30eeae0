package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// GroupMembership puts a user in a group, permanently or until it expires.
type GroupMembership struct {
	ent.Schema
}

// Fields of the GroupMembership.
func (GroupMembership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").
			Comment("The member.").
			Annotations(entgql.Skip()),
		field.Int("group_id").
			Comment("The group.").
			Annotations(entgql.Skip()),
		field.Time("assigned_at").
			Default(now).
			Comment("When the user joined the group."),
		field.String("assigned_by").
			Default("").
			Comment("Username of whoever added the user, or system."),
		field.Time("expires_at").
			Optional().
			Nillable().
			Comment("When the membership ends; null means permanent."),
		field.Time("reminded_at").
			Optional().
			Nillable().
			Comment("When the last expiry reminder was queued.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the GroupMembership.
func (GroupMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).
			Field("user_id").
			Unique().
			Required().
			Comment("The member."),
		edge.To("group", Group.Type).
			Field("group_id").
			Unique().
			Required().
			Comment("The group."),
	}
}

// Indexes of the GroupMembership.
func (GroupMembership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "group_id").Unique(),
		index.Fields("group_id"),
		index.Fields("expires_at"),
	}
}

// Annotations of the GroupMembership.
func (GroupMembership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Interceptors of the GroupMembership.
func (GroupMembership) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{keepGroupExpiry}
}
