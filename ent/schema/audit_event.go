package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"accountd/ent/schema/fieldtype"
)

// AuditEvent records one change to accountd's data. Events are append-only
// and carry no foreign keys, so they outlive what they describe.
type AuditEvent struct {
	ent.Schema
}

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("occurred_at").
			Default(now).
			Immutable().
			Comment("When the change happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("actor_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The user who made the change; null for the system.").
			Annotations(entgql.Skip()),
		field.String("actor_name").
			Immutable().
			Comment("Username of the actor at the time, or system."),
		field.String("action").
			Immutable().
			Comment("What happened, such as user.status_changed.").
			Annotations(entgql.OrderField("ACTION")),
		field.String("target_type").
			Immutable().
			Comment("The type of the changed object, such as User."),
		field.Int("target_id").
			Immutable().
			Comment("The changed object's key.").
			Annotations(entgql.Skip()),
		field.JSON("changes", map[string]fieldtype.Change{}).
			Optional().
			Immutable().
			Comment("Field by field, the value before and after; secrets are never recorded.").
			Annotations(entgql.Skip()),
		field.String("request_id").
			Default("").
			Immutable().
			Comment("The request that made the change, for matching with logs."),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("target_type", "target_id", "occurred_at"),
		index.Fields("actor_id", "occurred_at"),
		index.Fields("action", "occurred_at"),
		index.Fields("occurred_at"),
	}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput,
			entgql.SkipMutationUpdateInput),
	}
}

// Hooks of the AuditEvent.
func (AuditEvent) Hooks() []ent.Hook {
	return []ent.Hook{appendOnly}
}
