package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Group gathers users who receive the same alerts, forms or jobs.
type Group struct {
	ent.Schema
}

// Mixin of the Group.
func (Group) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}}
}

// Fields of the Group.
func (Group) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Unique().
			NotEmpty().
			MaxLen(128).
			Comment("The group's unique name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("description").
			Default("").
			MaxLen(1024).
			Comment("What the group is for."),
		field.Enum("type").
			Values("ALERT", "FORM", "JOB").
			Comment("What the group's members receive.").
			Annotations(entgql.Type("GroupType"), entgql.OrderField("TYPE")),
	}
}

// Edges of the Group.
func (Group) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("users", User.Type).
			Ref("groups").
			Through("memberships", GroupMembership.Type).
			Annotations(entgql.Skip()),
	}
}

// Annotations of the Group.
func (Group) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Lists the groups of the catalog."),
		entgql.RelayConnection(),
	}
}
