package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"accountd/ent/schema/fieldtype"
)

// OutboxMessage is an email written in the same transaction as the change
// that causes it, and delivered later by the dispatcher.
type OutboxMessage struct {
	ent.Schema
}

// Fields of the OutboxMessage.
func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("kind").
			Comment("What the message is, such as password_reset."),
		field.String("recipient"),
		field.String("subject"),
		field.Text("body_text").
			Sensitive(),
		field.Text("body_html").
			Sensitive(),
		field.JSON("attachments", []fieldtype.Attachment{}).
			Optional().
			Sensitive(),
		field.Enum("status").
			Values("PENDING", "SENT", "FAILED").
			Default("PENDING"),
		field.Int("attempts").
			Default(0),
		field.String("last_error").
			Default(""),
		field.Time("created_at").
			Default(now).
			Immutable(),
		field.Time("next_attempt_at").
			Default(now),
		field.Time("lease_until").
			Optional().
			Nillable().
			Comment("A dispatcher holds the message until then."),
		field.Time("sent_at").
			Optional().
			Nillable(),
	}
}

// Indexes of the OutboxMessage.
func (OutboxMessage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "next_attempt_at")}
}

// Annotations of the OutboxMessage.
func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
