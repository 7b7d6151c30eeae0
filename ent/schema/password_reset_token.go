package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PasswordResetToken is a one-time link that lets a user set a password;
// only its hash is stored.
type PasswordResetToken struct {
	ent.Schema
}

// Fields of the PasswordResetToken.
func (PasswordResetToken) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.Bytes("token_hash").
			Unique().
			Sensitive().
			Comment("SHA-256 of the token in the link."),
		field.Enum("purpose").
			Values("RESET", "SETUP").
			Default("RESET"),
		field.Time("created_at").
			Default(now).
			Immutable(),
		field.Time("expires_at"),
		field.Time("used_at").
			Optional().
			Nillable(),
	}
}

// Edges of the PasswordResetToken.
func (PasswordResetToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).
			Ref("password_reset_tokens").
			Field("user_id").
			Unique().
			Required(),
	}
}

// Indexes of the PasswordResetToken.
func (PasswordResetToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Annotations of the PasswordResetToken.
func (PasswordResetToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
