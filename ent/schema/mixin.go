// Package schema declares accountd's data model for ent: one entity a file,
// each with its fields, edges, indexes and GraphQL annotations.
package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimestampsMixin adds the creation and last-change times to an entity.
type TimestampsMixin struct {
	mixin.Schema
}

// Fields of the TimestampsMixin.
func (TimestampsMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(now).
			Immutable().
			Comment("When the object was created.").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").
			Default(now).
			UpdateDefault(now).
			Comment("When the object last changed.").
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// now is the default of every stored time: UTC, so that both engines and
// every client read the same instant the same way.
func now() time.Time { return time.Now().UTC() }
