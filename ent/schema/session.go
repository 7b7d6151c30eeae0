package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Session is a bearer token issued by login; only its hash is stored.
type Session struct {
	ent.Schema
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.Bytes("token_hash").
			Unique().
			Sensitive().
			Comment("SHA-256 of the bearer token."),
		field.Time("created_at").
			Default(now).
			Immutable(),
		field.Time("last_seen_at").
			Default(now).
			Comment("Last use, for the sliding idle timeout."),
		field.Time("authenticated_at").
			Default(now).
			Comment("Last password check: login or reauthenticate."),
		field.Time("expires_at").
			Comment("Absolute end of the session."),
		field.Time("revoked_at").
			Optional().
			Nillable(),
		field.String("client_address").
			Default(""),
		field.String("user_agent").
			Default("").
			MaxLen(512),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).
			Ref("sessions").
			Field("user_id").
			Unique().
			Required(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id"),
		index.Fields("expires_at"),
	}
}

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
