package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// FormSpace is a workspace of forms, authenticated by one security manager.
type FormSpace struct {
	ent.Schema
}

// Mixin of the FormSpace.
func (FormSpace) Mixin() []ent.Mixin {
	return []ent.Mixin{TimestampsMixin{}}
}

// Fields of the FormSpace.
func (FormSpace) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			Unique().
			NotEmpty().
			MaxLen(64).
			Comment("The form space's unique short code.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().
			MaxLen(256).
			Comment("The form space's display name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("description").
			Default("").
			MaxLen(1024).
			Comment("What the form space holds."),
		field.Int("security_manager_id").
			Comment("The security manager that authenticates the form space.").
			Annotations(entgql.Skip()),
	}
}

// Edges of the FormSpace.
func (FormSpace) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("security_manager", SecurityManager.Type).
			Field("security_manager_id").
			Unique().
			Required().
			Comment("The security manager that authenticates the form space."),
		edge.From("users", User.Type).
			Ref("form_spaces").
			Annotations(entgql.Skip()),
	}
}

// Annotations of the FormSpace.
func (FormSpace) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField().Description("Lists the form spaces of the catalog."),
		entgql.RelayConnection(),
	}
}
